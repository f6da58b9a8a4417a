"""Bug: treats fetch_url as read-only, but a URL's query string carries data out."""


def authorize(call, request):
    words = request.split()
    lower = [w.lower() for w in words]
    tool, args = call["tool"], call["args"]
    if tool in ("read_file", "read_inbox", "fetch_url"):
        return True
    if tool == "send_email":
        return "email" in lower and args[0].lower() in lower
    if tool == "delete_file":
        return "delete" in lower and args[0] in words
    return False
