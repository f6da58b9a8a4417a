"""Bug: compares driver versions as strings, so "535.104.05" sorts before "535.54.03"."""


def driver_compatibility(driver, cuda, table):
    full = table["toolkit"].get(cuda)
    if full is not None and driver >= full:
        return "full"
    compat = table["minor_version_compatibility"].get(cuda.split(".")[0])
    return "minor-version" if compat is not None and driver >= compat else "unsupported"
