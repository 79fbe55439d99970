"""The Telegram side (env prefix BOT_): the token, and long polling or a webhook."""

from typing import Literal
from typing import Self

from pydantic import Field
from pydantic import HttpUrl
from pydantic import SecretStr
from pydantic import field_validator
from pydantic import model_validator
from pydantic_settings import BaseSettings
from pydantic_settings import SettingsConfigDict


class BotSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BOT_", extra="ignore")

    # From the environment only (BotFather gives it); a SecretStr, so it prints as '**********'.
    token: SecretStr
    # polling: the bot asks Telegram for updates (no public address needed);
    # webhook: Telegram posts them to BOT_WEBHOOK_URL, served on webhook_host:webhook_port.
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: HttpUrl | None = None
    # Telegram sends it back in X-Telegram-Bot-Api-Secret-Token; other posts are refused.
    webhook_secret: SecretStr | None = None
    # Where the webhook is served; the container sets 0.0.0.0 (its port published by compose).
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8081, ge=0, le=65535)
    webhook_path: str = Field(default="/telegram/webhook", pattern=r"^/[A-Za-z0-9/_-]*$")
    # Chats that may list and follow rows (a JSON list of ids); empty: every chat may, which
    # production refuses.
    allowed_chat_ids: frozenset[int] = frozenset()
    app_env: Literal["development", "production"] = Field(
        default="development", validation_alias="APP_ENV"
    )

    @model_validator(mode="after")
    def production_names_its_chats(self) -> Self:
        if self.app_env == "production" and not self.allowed_chat_ids:
            raise ValueError(
                "APP_ENV=production needs BOT_ALLOWED_CHAT_IDS (a JSON list of chat ids): "
                "without it any Telegram user could read every row"
            )
        return self

    @model_validator(mode="after")
    def webhook_needs_url_and_secret(self) -> Self:
        if self.mode != "webhook":
            return self
        if self.webhook_url is None:
            raise ValueError("BOT_MODE=webhook needs BOT_WEBHOOK_URL")
        secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
        if not 16 <= len(secret) <= 256 or not secret.replace("-", "").replace("_", "").isalnum():
            raise ValueError(
                "BOT_MODE=webhook needs BOT_WEBHOOK_SECRET: 16 to 256 of A-Z a-z 0-9 _ -"
            )
        return self

    @field_validator("token")
    @classmethod
    def token_is_set(cls, token: SecretStr) -> SecretStr:
        if not token.get_secret_value().strip():
            raise ValueError("BOT_TOKEN is empty: ask BotFather for the token, put it in .env")
        return token
