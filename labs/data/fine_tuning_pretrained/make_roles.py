"""Regenerate roles.tsv (run once by the author; the lab only reads the TSV).

Label 1: a person acts on an animal ("The farmer chased the dog."); label 0: an animal acts
on a person ("The dog chased the farmer."). Both sentences of such a pair hold the same
words, so a bag of words (or a mean of word vectors) cannot tell them apart: the label is in
the word order. The test split uses nouns and verbs that never occur in the train split.

$ python labs/data/fine_tuning_pretrained/make_roles.py
"""

import random
from pathlib import Path

rng = random.Random(11)
people_tr = ["farmer", "teacher", "doctor", "boy", "girl", "police officer", "old man", "woman",
             "child", "neighbour"]
animals_tr = ["dog", "cat", "horse", "goat", "monkey", "parrot", "rabbit", "cow", "duck", "pig"]
verbs_tr = ["chased", "fed", "followed", "watched", "scared", "pushed", "found", "kicked",
            "ignored", "woke", "pulled"]
people_te = ["nurse", "student", "chef", "baker", "sailor", "soldier"]
animals_te = ["tiger", "sheep", "donkey", "fox", "bear", "chicken"]
verbs_te = ["attacked", "approached", "surprised", "noticed", "dragged", "grabbed", "saw", "heard"]
advs = ["", "", "", "quickly ", "suddenly ", "finally "]


def make(people, animals, verbs, n):
    rows = set()
    while len(rows) < n:
        p, a, v = rng.choice(people), rng.choice(animals), rng.choice(verbs)
        person_acts = rng.random() < 0.5
        subj, obj = (p, a) if person_acts else (a, p)
        rows.add((f"The {subj} {rng.choice(advs)}{v} the {obj}.", int(person_acts)))
    return sorted(rows)


train, test = make(people_tr, animals_tr, verbs_tr, 160), make(people_te, animals_te, verbs_te, 120)
with open(Path(__file__).with_name("roles.tsv"), "w", encoding="utf-8") as f:
    f.write("# split\tlabel\tsentence  "
            "(1 = a person acts on an animal, 0 = an animal acts on a person)\n")
    for split, rows in (("train", train), ("test", test)):
        for sentence, label in rows:
            f.write(f"{split}\t{label}\t{sentence}\n")
