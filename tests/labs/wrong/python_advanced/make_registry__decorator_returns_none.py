"""Bug: the class decorator records the class but forgets `return cls`, so the decorated
name is bound to None."""


def make_registry():
    classes = {}

    def register(name):
        def deco(cls):
            if name in classes:
                raise ValueError(f"{name!r} is already registered")
            classes[name] = cls
        return deco

    def create(config):
        name = config["name"]
        if name not in classes:
            raise KeyError(f"unknown name {name!r}; registered: {', '.join(sorted(classes))}")
        return classes[name](**{k: v for k, v in config.items() if k != "name"})

    return register, create
