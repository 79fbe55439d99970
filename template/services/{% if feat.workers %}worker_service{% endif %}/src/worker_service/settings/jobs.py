"""Periodic jobs (env prefix JOBS_)."""

from pydantic import Field
from pydantic_settings import BaseSettings
from pydantic_settings import SettingsConfigDict


class JobSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JOBS_", extra="ignore")

    # The digest of the resources' totals and of the changes seen since the last one.
    digest_interval_s: float = Field(default=86_400.0, gt=0)
    # Set to false to run no periodic job in this process (another replica runs them).
    enabled: bool = True
