from pydantic import BaseModel, ConfigDict, Field, field_validator


class CompoundCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    country_code: str = Field(default="MM", min_length=2, max_length=2)
    region: str = Field(default="", max_length=200)
    notes: str = Field(default="", max_length=2000)

    @field_validator("country_code")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()


class CompoundRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    country_code: str
    region: str
    notes: str
