"""Bug: registering a taken name silently replaces the first class."""


def make_registry():
    classes = {}

    def register(name):
        def deco(cls):
            classes[name] = cls
            return cls
        return deco

    def create(config):
        name = config["name"]
        if name not in classes:
            raise KeyError(f"unknown name {name!r}; registered: {', '.join(sorted(classes))}")
        return classes[name](**{k: v for k, v in config.items() if k != "name"})

    return register, create
