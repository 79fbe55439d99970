"""The chats that asked to be told of new resources (/subscribe, /unsubscribe).

Kept in this process's memory unless Redis is there to keep them (see redis_store); in memory
they are lost when the bot restarts, and each replica would have its own.
"""

from typing import Protocol


class Subscriptions(Protocol):
    async def add(self, chat_id: int) -> bool:
        """Subscribe a chat; False when it already was."""

    async def remove(self, chat_id: int) -> bool:
        """Unsubscribe a chat; False when it was not subscribed."""

    async def chats(self) -> list[int]: ...


class MemorySubscriptions:
    def __init__(self) -> None:
        self._chats: set[int] = set()

    async def add(self, chat_id: int) -> bool:
        if chat_id in self._chats:
            return False
        self._chats.add(chat_id)
        return True

    async def remove(self, chat_id: int) -> bool:
        if chat_id not in self._chats:
            return False
        self._chats.discard(chat_id)
        return True

    async def chats(self) -> list[int]:
        return sorted(self._chats)
