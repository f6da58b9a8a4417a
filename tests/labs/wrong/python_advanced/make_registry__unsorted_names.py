"""Bug: the KeyError lists the registered names in registration order, not sorted."""


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
            raise KeyError(f"unknown name {name!r}; registered: {', '.join(classes)}")
        return classes[name](**{k: v for k, v in config.items() if k != "name"})

    return register, create
