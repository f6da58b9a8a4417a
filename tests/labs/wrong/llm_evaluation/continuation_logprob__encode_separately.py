"""Bug: encodes context and continuation separately and leaves a trailing space on the
context, so "Answer: " + "caves" is scored as the tokens of "caves" after a lone space."""

import torch
import torch.nn.functional as F


def continuation_logprob(model, tokenizer, context, continuation):
    ctx = tokenizer.encode(context, add_special_tokens=False)
    cont = tokenizer.encode(continuation, add_special_tokens=False)
    with torch.no_grad():
        logits = model(torch.tensor([ctx + cont[:-1]])).logits[0]
    logp = F.log_softmax(logits[len(ctx) - 1 :].double(), dim=-1)
    target = torch.tensor(cont)
    greedy = bool((logp.argmax(-1) == target).all())
    return float(logp.gather(1, target[:, None]).sum()), greedy
