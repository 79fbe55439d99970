"""All settings of the business API, one field per concern, each read from its own env prefix."""

from pydantic import Field
from pydantic_settings import BaseSettings
from pydantic_settings import SettingsConfigDict

from api_service.settings.core import CoreSettings
from api_service.settings.data import DataServiceSettings


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    core: CoreSettings = Field(default_factory=CoreSettings)
    data: DataServiceSettings = Field(default_factory=DataServiceSettings)
