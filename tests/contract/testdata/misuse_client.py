"""Misuses the generated client's types: mypy must reject every marked line."""

from client import CreateUserInput, Greeting, RohasClient, SearchInput

client = RohasClient("http://127.0.0.1:1")
client.create_user({"name": "Ann", "email": "a@b.c"})  # misuse: a dict, not the model
client.create_user(CreateUserInput(name=1, email="a@b.c"))  # misuse: name is a str
client.get_user(42)  # misuse: a path parameter is a str
client.search_users(SearchInput(q="a", limit="2"))  # misuse: limit is an int
greeting: Greeting = client.hello()
count: int = greeting.message  # misuse: message is a str
client.connect_chat().send({"text": "hi"})  # misuse: the message is a ChatMessage
