"""Bug: renders the messages it is given and never inserts the default system message."""


def render_chat(messages, add_generation_prompt=False):
    text = "".join(f"<|{m['role']}|>\n{m['content']}<|end|>\n" for m in messages)
    return text + ("<|assistant|>\n" if add_generation_prompt else "")
