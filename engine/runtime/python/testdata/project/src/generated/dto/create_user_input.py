from pydantic import BaseModel


class CreateUserInput(BaseModel):
    name: str
    email: str

    class Config:
        from_attributes = True
