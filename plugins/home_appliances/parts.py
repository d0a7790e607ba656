"""The starter parts list (prices in fen); a firm replaces it with its own price list."""

from __future__ import annotations

from server.plugin_api import Part, label

_PIECE = label("个", "piece")
_METRE = label("米", "metre")

PARTS = (
    Part(
        "HA-CAP-35UF",
        label("压缩机启动电容 35μF", "Compressor start capacitor 35 µF"),
        4500,
        _PIECE,
    ),
    Part("HA-PCB-AC", label("空调内机主板", "Air-conditioner indoor main board"), 38000, _PIECE),
    Part("HA-FAN-MOTOR", label("室外风扇电机", "Outdoor fan motor"), 26000, _PIECE),
    Part(
        "HA-R32-KG",
        label("R32 冷媒（每千克）", "R32 refrigerant (per kg)"),
        12000,
        label("千克", "kg"),
    ),
    Part("HA-DRAIN-PUMP", label("洗衣机排水泵", "Washing-machine drain pump"), 9500, _PIECE),
    Part("HA-DOOR-SEAL", label("冰箱门封条", "Refrigerator door seal"), 8800, _PIECE),
    Part(
        "HA-PIPE-M",
        label("铜管加长（每米）", "Copper pipe extension (per metre)"),
        6000,
        _METRE,
        services=("install", "dismantle_move"),
    ),
    Part(
        "HA-BRACKET",
        label("空调外机支架", "Outdoor-unit wall bracket"),
        15000,
        _PIECE,
        services=("install", "dismantle_move"),
    ),
)
