"""Bug: checks arguments as substrings of the request, not as whole words."""


def authorize(call, request):
    low = request.lower()
    tool, args = call["tool"], call["args"]
    if tool in ("read_file", "read_inbox"):
        return True
    if tool == "fetch_url":
        return args[0] in request
    if tool == "send_email":
        return "email" in low and args[0].lower() in low
    if tool == "delete_file":
        return "delete" in low and args[0] in request
    return False
