"""Bug: expects a two-digit major version, so old tags such as "cu92" are not recognised."""

import re


def parse_cuda_tag(version):
    m = re.search(r"\+cu(\d\d)(\d)$", version)
    return f"{m[1]}.{m[2]}" if m else None
