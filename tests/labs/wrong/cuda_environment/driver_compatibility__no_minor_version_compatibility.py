"""Bug: ignores minor-version compatibility: a driver below the toolkit's row is unsupported."""


def driver_compatibility(driver, cuda, table):
    full = table["toolkit"].get(cuda)
    if full is not None and [int(f) for f in driver.split(".")] >= [int(f) for f in
                                                                    full.split(".")]:
        return "full"
    return "unsupported"
