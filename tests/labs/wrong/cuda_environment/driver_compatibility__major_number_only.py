"""Bug: compares only the driver branch (the first number): 450.51.06 passes for 450.80.02."""


def driver_compatibility(driver, cuda, table):
    def branch(v):
        return int(v.split(".")[0])

    full = table["toolkit"].get(cuda)
    if full is not None and branch(driver) >= branch(full):
        return "full"
    compat = table["minor_version_compatibility"].get(cuda.split(".")[0])
    if compat is not None and branch(driver) >= branch(compat):
        return "minor-version"
    return "unsupported"
