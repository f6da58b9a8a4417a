"""Reinforcement learning: an agent, an environment and a policy, learned by Q-learning.

An agent acts in an environment; each action moves it to a new state and earns a reward,
and a policy says which action to take in each state. The best policy maximises the
expected discounted return. When the environment's model is known (transition
probabilities P and rewards R), value iteration finds the optimal values by repeating the
Bellman optimality update V(s) <- max_a [R(s,a) + gamma * sum_s' P(s'|s,a) V(s')]. When it
is not, Q-learning learns action values from sampled experience alone:
Q(s,a) <- Q(s,a) + alpha * (r + gamma * max_a' Q(s',a') - Q(s,a)).

Q-learning's details decide what it learns: the step size alpha = 1 / n^0.6 (n the visits
to (s, a)) shrinks slowly enough to average out random slips; the behaviour policy explores
with probability epsilon; and the greedy action breaks ties by the lowest index, as
np.argmax does, so a run is reproducible (at the start every Q is 0 and every action ties).

You write value iteration and epsilon-greedy Q-learning for a slippery gridworld (the agent
moves as intended with probability 0.8, sideways otherwise). Value iteration is checked
against the linear-programming solution of the MDP (scipy linprog) and exact policy
evaluation. Q-learning is checked twice: with epsilon = 0 on a deterministic corridor its Q
table must equal the update rule applied by hand (step sizes, tie-breaks and all), and on
the gridworld the policy it learns from samples must be optimal: every greedy action an
optimal action, its exact value equal to V*.

$ python labs/reinforcement_learning.py --quick
"""

from __future__ import annotations

from dataclasses import dataclass

import kit
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("value_iteration", "q_learning")

LAYOUT = ("...+",  # + goal (reward +1, episode ends)
          ".#.-",  # - pit (reward -1, episode ends), # wall
          ".#..",
          "....")
MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))  # actions: up, right, down, left
ARROWS = "^>v<"


@dataclass
class Config:
    gamma: float = 0.95  # discount factor
    slip: float = 0.2  # probability of moving sideways (0.1 each) instead of as intended
    step_reward: float = -0.1  # cost of every move (makes every optimal action clear-cut)
    episodes: int = 4000  # Q-learning episodes (each starts in a random state)
    epsilon: float = 0.3  # exploration rate of the epsilon-greedy behaviour policy
    vi_tol: float = 1e-10  # value iteration stops when the update moves V by less than this


class GridWorld:
    """The environment: states are free cells, ``P`` (S, A, S) and ``R`` (S, A) are its model.

    The agent never reads ``P`` or ``R`` in Q-learning; it only calls ``reset`` and ``step``.
    """

    def __init__(self, cfg: Config) -> None:
        self.cells = [(r, c) for r, row in enumerate(LAYOUT) for c, ch in enumerate(row)
                      if ch != "#"]
        self.index = {cell: i for i, cell in enumerate(self.cells)}
        self.terminal = np.array([LAYOUT[r][c] in "+-" for r, c in self.cells])
        S, A = len(self.cells), len(MOVES)
        self.P, self.R = np.zeros((S, A, S)), np.zeros((S, A))
        for s, (r, c) in enumerate(self.cells):
            if self.terminal[s]:
                self.P[s, :, s] = 1.0  # absorbing, reward 0
                continue
            for a in range(A):
                for b, p in ((a, 1 - cfg.slip), ((a + 1) % 4, cfg.slip / 2),
                             ((a + 3) % 4, cfg.slip / 2)):
                    s2 = self._move(r, c, b)
                    self.P[s, a, s2] += p
                    ch = LAYOUT[self.cells[s2][0]][self.cells[s2][1]]
                    self.R[s, a] += p * {"+": 1.0, "-": -1.0}.get(ch, cfg.step_reward)
        self.n_states, self.n_actions, self.step_reward = S, A, cfg.step_reward
        self._cum = np.cumsum(self.P, axis=2)  # (S, A, S) for fast sampling
        self._starts = np.flatnonzero(~self.terminal)

    def _move(self, r: int, c: int, a: int) -> int:
        r2, c2 = r + MOVES[a][0], c + MOVES[a][1]
        inside = 0 <= r2 < len(LAYOUT) and 0 <= c2 < len(LAYOUT[0]) and LAYOUT[r2][c2] != "#"
        return self.index[(r2, c2)] if inside else self.index[(r, c)]  # walls: stay put

    def reset(self, rng: np.random.Generator) -> int:
        """Start an episode in a random non-terminal state (exploring starts)."""
        return int(self._starts[rng.integers(len(self._starts))])

    def step(self, s: int, a: int, rng: np.random.Generator) -> tuple[int, float, bool]:
        """Sample a move: returns (next state, reward, episode done)."""
        s2 = min(int(np.searchsorted(self._cum[s, a], rng.random(), side="right")),
                 self.n_states - 1)  # inverse-CDF sample of s' ~ P(. | s, a)
        r, c = self.cells[s2]
        reward = {"+": 1.0, "-": -1.0}.get(LAYOUT[r][c], self.step_reward)
        return s2, reward, bool(self.terminal[s2])


class Corridor:
    """A deterministic corridor 0 - 1 - ... - n-1: actions 0 = left, 1 = right; every move
    costs 0.1, reaching the right end pays +1 and ends the episode. Episodes start at 0."""

    def __init__(self, n: int = 5) -> None:
        self.n_states, self.n_actions = n, 2

    def reset(self, rng: np.random.Generator) -> int:
        return 0

    def step(self, s: int, a: int, rng: np.random.Generator) -> tuple[int, float, bool]:
        s2 = max(s - 1, 0) if a == 0 else s + 1
        done = s2 == self.n_states - 1
        return s2, (1.0 if done else -0.1), done


def _greedy_q_by_hand(env: Corridor, episodes: int, gamma: float, max_steps: int) -> np.ndarray:
    """The oracle for epsilon = 0: the update rule applied step by step on a deterministic env."""
    Q, n = np.zeros((env.n_states, env.n_actions)), np.zeros((env.n_states, env.n_actions))
    for _ in range(episodes):
        s = 0
        for _ in range(max_steps):
            a = int(np.flatnonzero(Q[s] == Q[s].max())[0])  # lowest index among the best
            s2, r, done = env.step(s, a, None)  # type: ignore[arg-type]
            n[s, a] += 1
            Q[s, a] += (r + gamma * Q[s2].max() - Q[s, a]) * n[s, a] ** -0.6
            s = s2
            if done:
                break
    return Q


def value_iteration(P: np.ndarray, R: np.ndarray, gamma: float,
                    tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Optimal values ``V`` (S,) and a greedy policy (S,) of the MDP ``P`` (S, A, S), ``R`` (S, A).

    ``P[s, a, s2]`` is the probability of moving from s to s2 under action a and ``R[s, a]``
    the expected reward. Starting from V = 0, repeat the Bellman optimality update
    V(s) <- max_a [R(s, a) + gamma * sum_s2 P(s, a, s2) V(s2)] until max |V_new - V| < tol;
    return V and the action (int array) that attains each max.
    """
    V = np.zeros(P.shape[0])
    while True:
        Q = R + gamma * P @ V  # (S, A)
        V_new = Q.max(1)
        if np.max(np.abs(V_new - V)) < tol:
            return V_new, Q.argmax(1)
        V = V_new


def q_learning(env: GridWorld, episodes: int, gamma: float, epsilon: float,
               rng: np.random.Generator, max_steps: int = 100) -> np.ndarray:
    """Tabular Q-learning with an epsilon-greedy behaviour policy; returns ``Q`` (S, A).

    Q starts at 0. Each episode starts at ``s = env.reset(rng)`` and runs until
    ``env.step(s, a, rng)`` returns done or for ``max_steps`` steps. Behaviour: with
    probability ``epsilon`` a uniformly random action, else the greedy action
    ``argmax_a Q(s, a)``, ties going to the lowest index; draw every random number from
    ``rng``, so that a run is reproducible. Update
    Q(s, a) += alpha * (r + gamma * max_a' Q(s', a') - Q(s, a)), with alpha = 1 / n ** 0.6
    and n the number of updates of (s, a), this one included (the first has alpha = 1).
    Q of a terminal state is never updated and stays 0.
    """
    Q = np.zeros((env.n_states, env.n_actions))
    visits = np.zeros_like(Q)
    for _ in range(episodes):
        s = env.reset(rng)
        for _ in range(max_steps):
            if rng.random() < epsilon:
                a = int(rng.integers(env.n_actions))  # explore
            else:
                a = int(np.argmax(Q[s]))  # exploit
            s2, r, done = env.step(s, a, rng)
            visits[s, a] += 1
            target = r if done else r + gamma * Q[s2].max()  # no bootstrap past the end
            Q[s, a] += (target - Q[s, a]) / visits[s, a] ** 0.6
            s = s2
            if done:
                break
    return Q


def _policy_value(P: np.ndarray, R: np.ndarray, pi: np.ndarray, gamma: float) -> np.ndarray:
    """Exact value of a deterministic policy: solve (I - gamma P_pi) V = R_pi."""
    S = np.arange(len(pi))
    return np.linalg.solve(np.eye(len(pi)) - gamma * P[S, pi], R[S, pi])


def body(lab: kit.Lab) -> None:
    from scipy.optimize import linprog

    cfg = Config(episodes=lab.pick(4000, 40000))
    rng = np.random.default_rng(lab.seed)
    env = GridWorld(cfg)
    S, A = env.n_states, env.n_actions
    lab.log(f"  gridworld: {S} states, {A} actions, slip {cfg.slip}, gamma {cfg.gamma}")

    lab.section("value iteration vs the linear program of the MDP")
    # LP oracle: minimise sum V  s.t.  V(s) >= R(s,a) + gamma * P(s,a,:) V  for every (s, a)
    A_ub = (cfg.gamma * env.P - np.eye(S)[:, None, :]).reshape(S * A, S)
    lp = linprog(np.ones(S), A_ub=A_ub, b_ub=-env.R.reshape(-1), bounds=[(None, None)] * S,
                 method="highs")
    V_lp = lp.x
    Q_star = env.R + cfg.gamma * env.P @ V_lp  # (S, A) optimal action values
    V_star = V_lp
    with lab.guard("value_iteration runs"):
        V, pi = value_iteration(env.P, env.R, cfg.gamma, cfg.vi_tol)
        lab.check_close("V = linear-programming optimum (scipy linprog)", V, V_lp, rtol=0,
                        atol=1e-7)
        lab.check_close("policy's exact value (I - gamma P_pi)^-1 R_pi = V*",
                        _policy_value(env.P, env.R, pi, cfg.gamma), V_lp, rtol=0, atol=1e-7)
        V_star = V

    lab.section("Q-learning by hand: epsilon = 0 on a deterministic corridor")
    corridor = Corridor(5)
    with lab.guard("q_learning runs on the corridor"):
        Q_c = q_learning(corridor, 3, cfg.gamma, 0.0, np.random.default_rng(lab.seed), 50)
        Q_hand = _greedy_q_by_hand(corridor, 3, cfg.gamma, 50)
        lab.check_close("3 greedy episodes: Q = the update rule applied by hand", Q_c, Q_hand,
                        rtol=1e-6, atol=1e-6,
                        hint="ties go to the lowest index; alpha = 1 / n^0.6 with n counting "
                             "this update; explore only when rng.random() < epsilon")
        same = [q_learning(env, 200, cfg.gamma, cfg.epsilon, np.random.default_rng(5))
                for _ in "ab"]
        lab.check_equal("reproducible: the same rng seed gives the same Q on the gridworld",
                        bool(np.array_equal(same[0], same[1])), True,
                        hint="explore with the rng you are given, not np.random")
        lab.table("corridor_q", ["state", "Q(s, left)", "Q(s, right)"],
                  [[s_, *Q_c[s_]] for s_ in range(corridor.n_states)],
                  title="your Q after 3 greedy episodes on the corridor (the right end is +1)")

    lab.section("Q-learning from sampled experience")
    V_q = np.full(S, np.nan)
    with lab.guard("q_learning runs"):
        with lab.timer() as t:
            Q = q_learning(env, cfg.episodes, cfg.gamma, cfg.epsilon, rng)
        lab.metric("q_learning_seconds", t.seconds, "s")
        greedy = Q.argmax(1)
        live = ~env.terminal
        regret = (Q_star.max(1) - Q_star[np.arange(S), greedy])[live]  # 0 where greedy is optimal
        lab.check_equal("states whose learned action is not optimal (Q* gap > 1e-9)",
                        int(np.sum(regret > 1e-9)), 0)
        V_q = _policy_value(env.P, env.R, greedy, cfg.gamma)
        lab.check_close("value of the learned policy = V* (exact evaluation)", V_q, V_lp,
                        rtol=0, atol=1e-7)
        err = float(np.abs(Q.max(1) - V_lp)[live].max())  # rarely tried actions stay rough
        lab.check_le("max_s |max_a Q(s, a) - V*(s)|", err, lab.pick(0.15, 0.08))
        lab.metric("max_abs_Q_error_all_actions", float(np.abs(Q - Q_star)[live].max()))

        fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
        for ax, values, pol, title in ((axes[0], V_star, Q_star.argmax(1), "V* and optimal policy"),
                                       (axes[1], Q.max(1), greedy, "Q-learning: max_a Q, greedy")):
            grid = np.full((len(LAYOUT), len(LAYOUT[0])), np.nan)
            for s, (r, c) in enumerate(env.cells):
                if env.terminal[s]:  # colour the goal / pit by the reward for entering them
                    grid[r, c] = 1.0 if LAYOUT[r][c] == "+" else -1.0
                    text = "goal\n+1" if LAYOUT[r][c] == "+" else "pit\n-1"
                else:
                    grid[r, c] = values[s]
                    text = f"{ARROWS[pol[s]]}\n{values[s]:.2f}"
                ax.text(c, r, text, ha="center", va="center", fontsize=9,
                        color="white" if env.terminal[s] else "black")
            ax.imshow(grid, cmap="RdYlGn", vmin=-1, vmax=1)
            ax.set(title=title, xticks=[], yticks=[])
        lab.savefig(fig, "gridworld_policy.png")
    if np.allclose(V_q, V_lp, atol=1e-7):
        lab.conclude(f"Your value iteration matched the MDP's linear program, and the policy "
                     f"your Q-learning learned from {cfg.episodes} episodes of slippery moves "
                     f"took an optimal action in all {int(live.sum())} states, worth "
                     f"V* = {V_q[env.index[(3, 0)]]:.3f} from the bottom-left corner.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("reinforcement-learning", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
