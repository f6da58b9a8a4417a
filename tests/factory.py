"""Small roadmaps written to a temp dir, for the engine's tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

SECTIONS = """\
sections:
  - {id: basics, title: Basics, order: 1}
  - {id: more, title: More, order: 2}
"""


def node_yaml(nid: str, prereqs: list[str] | None = None, **extra: str) -> str:
    body = f"""\
        id: {nid}
        title: Title of {nid}
        summary: What {nid} is about.
        level: beginner
        estimate_hours: 2
        prerequisites: {prereqs or []}
        objectives: [do a thing, do another thing]
        resources:
          - {{type: official, title: Docs, url: "https://example.org/{nid}"}}
        lab: {{script: labs/{nid.replace('-', '_')}.py, gpu: "no", timeout_s: 30}}
        """
    text = textwrap.dedent(body)
    for k, v in extra.items():
        text += f"{k}: {v}\n"
    return text


def make(tmp: Path, files: dict[str, str], sections: str = SECTIONS, labs: bool = True) -> Path:
    root = tmp / "rm"
    root.mkdir()
    (root / "sections.yaml").write_text(sections)
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        if labs:
            (tmp / "labs").mkdir(exist_ok=True)
            (tmp / "labs" / (Path(rel).stem.replace("-", "_") + ".py")).write_text("# lab\n")
    return root


def write_alpha_lab(tmp_path: Path) -> None:
    """A real one-exercise lab (`add`) and the kit, under tmp_path/labs."""
    kit = Path(__file__).resolve().parents[1] / "labs" / "kit.py"
    (tmp_path / "labs").mkdir()
    (tmp_path / "labs" / "kit.py").write_text(kit.read_text())
    (tmp_path / "labs" / "alpha.py").write_text(textwrap.dedent('''
        """Alpha lab."""
        import kit
        EXERCISES = ("add",)
        def add(a, b):
            """Return a + b."""
            return a + b
        def body(lab):
            lab.check_equal("add", add(2, 3), 5)
        def main(argv=None):
            return kit.run("alpha", body, globals(), argv)
        if __name__ == "__main__":
            raise SystemExit(main())
    '''))
