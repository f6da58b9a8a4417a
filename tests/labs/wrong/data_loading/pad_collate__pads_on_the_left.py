"""Bug: pads on the left, so the sequences end, instead of start, at column 0."""

import torch


def pad_collate(seqs):
    lengths = torch.tensor([len(s) for s in seqs])
    out = torch.zeros(len(seqs), int(lengths.max()), dtype=seqs[0].dtype)
    for row, s in enumerate(seqs):
        out[row, out.shape[1] - len(s):] = s
    return out, lengths
