#!/usr/bin/env python3
"""Writes a BERT-base-shaped model folder with random weights for workload W6:
12 layers, hidden 768, 12 heads, intermediate 3072, 512 positions, and the
bert-base-uncased vocabulary (30522 tokens, copied from all-MiniLM-L6-v2, which uses it).
The weights are Hugging Face's BertModel initialisation under torch.manual_seed(0), so
the folder is the same on every machine; ftx and the PyTorch peer load the same files.

    make_bert_base.py OUT_DIR
"""
import os, shutil, sys

import torch
from transformers import BertConfig, BertModel

HERE = os.path.dirname(os.path.abspath(__file__))
MINILM = os.path.join(HERE, "..", "models", "all-MiniLM-L6-v2")


def main(out):
    if os.path.exists(os.path.join(out, "model.safetensors")):
        return
    tmp = out + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=30522, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                        intermediate_size=3072, max_position_embeddings=512, type_vocab_size=2)
    BertModel(config, add_pooling_layer=True).save_pretrained(tmp, safe_serialization=True)
    for name in ("vocab.txt", "tokenizer_config.json", "special_tokens_map.json"):
        if os.path.exists(os.path.join(MINILM, name)):
            shutil.copy(os.path.join(MINILM, name), tmp)
    os.replace(tmp, out)  # whole or absent


if __name__ == "__main__":
    main(sys.argv[1])
