"""Bug: reads the log-probability of token t from the logits at position t, not t - 1."""

import torch
import torch.nn.functional as F


def continuation_logprob(model, tokenizer, context, continuation):
    n_space = len(context) - len(context.rstrip())
    if n_space:
        context, continuation = context[:-n_space], context[-n_space:] + continuation
    whole = tokenizer.encode(context + continuation, add_special_tokens=False)
    n_ctx = len(tokenizer.encode(context, add_special_tokens=False))
    cont = torch.tensor(whole[n_ctx:])
    with torch.no_grad():
        logits = model(torch.tensor([whole])).logits[0]
    logp = F.log_softmax(logits[-len(cont):].double(), dim=-1)
    greedy = bool((logp.argmax(-1) == cont).all())
    return float(logp.gather(1, cont[:, None]).sum()), greedy
