"""The starter parts list (prices in fen); a firm replaces it with its own price list."""

from __future__ import annotations

from server.plugin_api import Part, label

_PIECE = label("个", "piece")

PARTS = (
    Part("IT-SSD-512", label("固态硬盘 512GB", "SSD 512 GB"), 32000, _PIECE),
    Part("IT-RAM-16G", label("内存条 16GB DDR4", "Memory module 16 GB DDR4"), 26000, _PIECE),
    Part("IT-PSU-500W", label("电源 500W", "Power supply 500 W"), 29000, _PIECE),
    Part("IT-CMOS-2032", label("主板纽扣电池 CR2032", "CMOS battery CR2032"), 500, _PIECE),
    Part("IT-CAT6-3M", label("六类网线 3 米", "Cat 6 patch cable 3 m"), 1500, label("根", "cable")),
    Part("IT-KB-USB", label("USB 有线键盘", "USB keyboard"), 6000, _PIECE),
    Part(
        "IT-TONER",
        label("激光打印机硒鼓", "Laser printer toner cartridge"),
        38000,
        _PIECE,
        services=("incident", "service_request"),
    ),
)
