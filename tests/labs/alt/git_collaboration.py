"""Another correct answer: fix main first (pull --ff-only, revert found with rev-list), then
rebase the feature onto the updated local main, resolve by taking the feature's side and
editing the lr line, and push with HEAD refspecs."""


def git_script(repo):
    repo.git("switch", "main")
    repo.git("pull", "--ff-only", "origin", "main")
    sha = repo.git("rev-list", "-n", "1", "--grep=Switch the optimizer to SGD", "HEAD")
    repo.git("revert", "--no-edit", sha)
    repo.git("push", "origin", "HEAD:main")

    repo.git("switch", "feature/batch")
    out = repo.git("rebase", "main", check=False)
    assert "CONFLICT" in out, out
    repo.git("checkout", "--theirs", "--", "config.yaml")  # theirs = the feature's commit
    lines = repo.read("config.yaml").splitlines()
    lines = ["lr: 0.005" if ln.startswith("lr:") else ln for ln in lines]
    repo.write("config.yaml", "\n".join(lines) + "\n")
    repo.git("add", "-A")
    repo.git("-c", "core.editor=true", "rebase", "--continue")
    repo.git("push", "--force-with-lease=feature/batch", "origin", "HEAD:feature/batch")
