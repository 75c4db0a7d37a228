"""Named model sizes for training from scratch.

Each preset fixes the MarianMT shape and the SentencePiece vocabulary size; the training
hyper-parameters that suit it (learning rate, warm-up, batch size, dropout) travel with it as
defaults that command-line options override.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from idtrans.errors import TrainingError


@dataclass(frozen=True)
class Preset:
    """A model shape plus the training defaults that go with it."""

    name: str
    description: str
    vocab_size: int
    d_model: int
    encoder_layers: int
    decoder_layers: int
    attention_heads: int
    ffn_dim: int
    max_positions: int
    dropout: float
    attention_dropout: float
    activation_dropout: float
    learning_rate: float
    warmup_steps: int
    batch_tokens: int
    max_tokens: int  # longest training sentence (subword tokens) kept

    def config_kwargs(self) -> dict:
        """Keyword arguments for ``transformers.MarianConfig`` (vocabulary ids are added by the caller)."""
        return {
            "d_model": self.d_model,
            "encoder_layers": self.encoder_layers,
            "decoder_layers": self.decoder_layers,
            "encoder_attention_heads": self.attention_heads,
            "decoder_attention_heads": self.attention_heads,
            "encoder_ffn_dim": self.ffn_dim,
            "decoder_ffn_dim": self.ffn_dim,
            "max_position_embeddings": self.max_positions,
            "dropout": self.dropout,
            "attention_dropout": self.attention_dropout,
            "activation_dropout": self.activation_dropout,
            "activation_function": "swish",
            "scale_embedding": True,
            "share_encoder_decoder_embeddings": True,
            "tie_word_embeddings": True,
        }

    def as_dict(self) -> dict:
        return asdict(self)


#: The presets, one row each; the columns are the :class:`Preset` fields after ``name`` and ``description``.
# fmt: off
_SHAPES: dict[str, tuple[int, int, int, int, int, int, int, float, float, float, float, int, int, int]] = {
    #          vocab  d_model enc dec heads ffn   positions dropout attn  act  lr    warm-up batch max_tokens
    "tiny":   (300,   32,     1,  1,  2,    64,   128,      0.1,    0.0,  0.0, 3e-3, 10,     800,  100),
    "small":  (8000,  256,    3,  3,  4,    1024, 256,      0.1,    0.1,  0.0, 7e-4, 600,    4000, 128),
    "medium": (10000, 384,    6,  2,  6,    1536, 256,      0.1,    0.1,  0.0, 5e-4, 2000,   5000, 128),
    "base":   (32000, 512,    6,  6,  8,    2048, 512,      0.1,    0.0,  0.0, 5e-4, 4000,   8000, 200),
}
# fmt: on
_DESCRIPTIONS = {
    "tiny": "for tests: trains in seconds, translates nothing useful",
    "small": "the bundled model's start (grown to 9+3 layers since): 7.7M parameters (~15 MB as float16), 3+3 "
    "layers, trains usefully in two CPU hours",
    "medium": "campaign v2 (issue 10): ~18M parameters (~37 MB as float16), deep encoder 6 + shallow decoder 2 "
    "for fast CPU decoding",
    "base": "the shape of Helsinki-NLP/opus-mt-id-en (~75M parameters); needs far more data and compute",
}
PRESETS: dict[str, Preset] = {name: Preset(name, _DESCRIPTIONS[name], *shape) for name, shape in _SHAPES.items()}


def get_preset(name: str) -> Preset:
    """The preset called ``name``; a clear error listing the choices otherwise."""
    try:
        return PRESETS[name]
    except KeyError:
        raise TrainingError(
            f"unknown preset {name!r}", where="--preset", hint=f"choose one of: {', '.join(PRESETS)}"
        ) from None
