"""Bug: the registry dict lives at module level, so every make_registry() shares it (and
a second registry sees the first one's names as taken)."""

CLASSES = {}


def make_registry():
    def register(name):
        def deco(cls):
            CLASSES.setdefault(name, cls)
            return cls
        return deco

    def create(config):
        name = config["name"]
        if name not in CLASSES:
            raise KeyError(f"unknown name {name!r}; registered: {', '.join(sorted(CLASSES))}")
        return CLASSES[name](**{k: v for k, v in config.items() if k != "name"})

    return register, create
