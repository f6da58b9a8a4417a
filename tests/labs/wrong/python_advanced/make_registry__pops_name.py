"""Bug: `config.pop("name")` takes the name out of the caller's config dict."""


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
        name = config.pop("name")
        if name not in classes:
            raise KeyError(f"unknown name {name!r}; registered: {', '.join(sorted(classes))}")
        return classes[name](**config)

    return register, create
