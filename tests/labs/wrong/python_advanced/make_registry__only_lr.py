"""Bug: the factory passes only `lr` (the one argument every class takes) and drops the
rest of the config, so momentum runs with its default beta."""


def make_registry():
    classes = {}

    def register(name):
        def deco(cls):
            if name in classes:
                raise ValueError(f"{name!r} is already registered")
            classes[name] = cls
            return cls
        return deco

    def create(config):
        name = config["name"]
        if name not in classes:
            raise KeyError(f"unknown name {name!r}; registered: {', '.join(sorted(classes))}")
        return classes[name](lr=config["lr"])

    return register, create
