from sqlmodel import Field, SQLModel


class Nationality(SQLModel, table=True):
    """ISO 3166-1 countries; loaded by a data migration from pycountry."""

    __tablename__ = "nationalities"

    code: str = Field(primary_key=True, max_length=2)  # alpha-2
    name: str = Field(max_length=100, index=True)
