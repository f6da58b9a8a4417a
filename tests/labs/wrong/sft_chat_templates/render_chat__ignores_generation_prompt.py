"""Bug: never appends the generation prompt, so the model is not asked for a reply."""

from sft_chat_templates import DEFAULT_SYSTEM


def render_chat(messages, add_generation_prompt=False):
    if messages[0]["role"] != "system":
        messages = [{"role": "system", "content": DEFAULT_SYSTEM}] + messages
    return "".join(f"<|{m['role']}|>\n{m['content']}<|end|>\n" for m in messages)
