"""Telegram bot service: answers commands from the business API, notifies subscribed chats."""
