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


PRESETS: dict[str, Preset] = {
    "tiny": Preset(
        name="tiny",
        description="for tests: trains in seconds, translates nothing useful",
        vocab_size=300,
        d_model=32,
        encoder_layers=1,
        decoder_layers=1,
        attention_heads=2,
        ffn_dim=64,
        max_positions=128,
        dropout=0.1,
        attention_dropout=0.0,
        activation_dropout=0.0,
        learning_rate=3e-3,
        warmup_steps=10,
        batch_tokens=800,
        max_tokens=100,
    ),
    "small": Preset(
        name="small",
        description="the bundled offline default: 7.7M parameters (~15 MB as float16), 3+3 layers, trains "
        "usefully in two CPU hours",
        vocab_size=8000,
        d_model=256,
        encoder_layers=3,
        decoder_layers=3,
        attention_heads=4,
        ffn_dim=1024,
        max_positions=256,
        dropout=0.1,
        attention_dropout=0.1,
        activation_dropout=0.0,
        learning_rate=7e-4,
        warmup_steps=600,
        batch_tokens=4000,
        max_tokens=128,
    ),
    "medium": Preset(
        name="medium",
        description="campaign v2 (issue 10): ~18M parameters (~37 MB as float16), deep encoder 6 + shallow "
        "decoder 2 for fast CPU decoding",
        vocab_size=10000,
        d_model=384,
        encoder_layers=6,
        decoder_layers=2,
        attention_heads=6,
        ffn_dim=1536,
        max_positions=256,
        dropout=0.1,
        attention_dropout=0.1,
        activation_dropout=0.0,
        learning_rate=5e-4,
        warmup_steps=2000,
        batch_tokens=5000,
        max_tokens=128,
    ),
    "base": Preset(
        name="base",
        description="the shape of Helsinki-NLP/opus-mt-id-en (~75M parameters); needs far more data and compute",
        vocab_size=32000,
        d_model=512,
        encoder_layers=6,
        decoder_layers=6,
        attention_heads=8,
        ffn_dim=2048,
        max_positions=512,
        dropout=0.1,
        attention_dropout=0.0,
        activation_dropout=0.0,
        learning_rate=5e-4,
        warmup_steps=4000,
        batch_tokens=8000,
        max_tokens=200,
    ),
}


def get_preset(name: str) -> Preset:
    """The preset called ``name``; a clear error listing the choices otherwise."""
    try:
        return PRESETS[name]
    except KeyError:
        raise TrainingError(
            f"unknown preset {name!r}", where="--preset", hint=f"choose one of: {', '.join(PRESETS)}"
        ) from None
