"""Bug: torch.zeros without a dtype gives float32, so token ids come back as floats."""

import torch


def pad_collate(seqs):
    lengths = torch.tensor([len(s) for s in seqs])
    out = torch.zeros(len(seqs), int(lengths.max()))
    for row, s in enumerate(seqs):
        out[row, : len(s)] = s
    return out, lengths
