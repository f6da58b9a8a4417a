"""Bug: splits after the first digit, so "cu118" reads as 1.18 and "cu130" as 1.30."""

import re


def parse_cuda_tag(version):
    m = re.search(r"\+cu(\d)(\d+)", version)
    return f"{m[1]}.{m[2]}" if m else None
