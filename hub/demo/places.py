"""Places of 伊金霍洛旗 for the demo data, and name parts to generate the places nobody listed.

The banner, its town-level units, the communities of 阿勒腾席热镇 and the member units of the joint
conference come from the banner's reference data (``hub.reference``, the one source of their real
names and codes, which ``hub init`` loads too) and are loaded with ``generated=False``; so are the
seat's publicly listed compounds below (MISSION.md, "Places for realistic demo data"). Everything
built from the name parts further down is ``generated=True``.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.domain.enums import TownKind, UnitRole, UtilityKind
from hub.reference import COMPETENT_DEPARTMENT as COMPETENT_DEPARTMENT_CODE
from hub.reference import reference_data

_REFERENCE = reference_data()

BANNER_CODE = _REFERENCE.banner.code
BANNER_NAME = _REFERENCE.banner.name
SEAT_CODE = "150627100"  # 阿勒腾席热镇, the seat of the banner

NOT_IN_DEMO = frozenset({"150627401"})
"""Town-level units of the reference data the demo leaves out: 蒙苏经济开发区 came with the
reference data, after the demo data set (its eight town-level units, and the random draws made
for each) was fixed; ``hub init`` adds it to a store holding the demo data."""


@dataclass(frozen=True, slots=True)
class TownPlace:
    """A town or the town-level office of 水岸新城, and the member unit that governs it (R1)."""

    code: str
    name: str
    kind: TownKind
    unit_name: str


TOWNS: tuple[TownPlace, ...] = tuple(
    TownPlace(
        town.code,
        town.name,
        town.town_kind or TownKind.TOWN,
        _REFERENCE.unit_of(town.code, UnitRole.TOWN).name,
    )
    for town in _REFERENCE.towns
    if town.code not in NOT_IN_DEMO
)

# The publicly listed compounds of the seat's communities, by community code (the communities'
# names and codes, 150627100001…, are the reference data's).
_SEAT_COMPOUNDS: dict[str, tuple[str, ...]] = {
    "150627100001": ("民悦A区", "民悦B区", "民悦C区", "百合花园", "富贵苑", "馨雅苑A区"),
    "150627100002": (
        "西苑小区", "亿城A区", "亿城B区", "兴盟时代广场", "丽景家园", "尚岛国际", "郡王现代城",
    ),
    "150627100003": ("博源柳河湾", "柳岸华庭", "锦尚苑A区", "锦尚苑B区", "锦尚苑C区", "万佳富园"),
    "150627100004": ("乌兰小区", "明珠花园A区", "明珠花园B区", "碧影华城", "天隆佳苑", "万佳裕园"),
    "150627100005": ("祥惠苑", "凤凰城"),
    "150627100006": ("平安小区", "广厦小区", "金鹭小区"),
    "150627100007": ("绿苑小区", "御景嘉苑"),
    "150627100008": ("宏泰尚都", "澜园", "澄园", "清园", "润园"),
    "150627100009": ("伊锦苑", "辰元西园", "普雅花园", "丽都水岸", "西山领秀"),
    "150627100010": ("红海家园", "蓝天家园", "墨金苑"),
    "150627100011": ("顺泰苑", "嘉泰苑", "城投玉园", "悦和城"),
    "150627100012": ("阳光家园",),
    "150627100013": ("公园天下观邸", "万豪国际", "王府小区"),
}  # fmt: skip

# The communities of 阿勒腾席热镇 in code order and their compounds; the demo numbers a town's
# communities from 001, so the listed ones keep the reference data's codes.
SEAT_COMMUNITIES: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (community.name, _SEAT_COMPOUNDS[community.code])
    for community in _REFERENCE.communities_of(SEAT_CODE)
)


def _unit_at_banner(code: str) -> tuple[str, str]:
    unit = _REFERENCE.unit(code)
    return unit.code, unit.name


# Other member units of the joint conference (R1): (unit code, name).
COMPETENT_DEPARTMENT = _unit_at_banner(COMPETENT_DEPARTMENT_CODE)
DEPARTMENTS = (_unit_at_banner("cgj"), _unit_at_banner("xfdd"))
PARTY_PUBLICITY = (_unit_at_banner("zzb"), _unit_at_banner("xcb"))
INSPECTION_OFFICE = _unit_at_banner("dcs")

# --- Name parts for generated records -------------------------------------------------------

COMMUNITY_WORDS = (
    "康和", "昌盛", "和平", "团结", "前进", "友谊", "振兴", "富民", "兴旺", "安康",
    "幸福", "乌兰", "巴音", "哈达", "呼和", "沙日", "敖包", "查干", "宝日", "阿拉腾",
    "额尔敦", "朝阳", "东风", "西城", "南苑", "北园", "新城", "兴隆", "光明", "矿区",
)  # fmt: skip
COMMUNITY_SIDES = ("东", "西", "南", "北", "中")

COMPOUND_WORDS = (
    "金色", "碧水", "锦华", "盛世", "蓝湾", "龙鼎", "紫御", "和园", "鑫源", "康城",
    "泰和", "华府", "瑞祥", "福安", "鸿福", "东方", "国泰", "祥和", "翠苑", "嘉禾",
    "天骄", "草原", "蒙泰", "金鹏", "银河", "星河", "御龙", "怡和", "书香", "阳光",
    "丰泽", "永安", "锦绣", "恒源", "万融", "兴泰", "融城", "紫金", "玉泉", "凯旋",
    "绿洲", "丽水", "明月", "雅居", "聚福", "宏源", "安居", "乐园", "红柳", "沙柳",
)  # fmt: skip
COMPOUND_SUFFIXES = (
    "家园", "花园", "小区", "苑", "华府", "新城", "佳苑", "雅居", "名邸", "公馆",
    "嘉园", "国际", "尚城", "雅苑", "华庭",
)  # fmt: skip
COMPOUND_ZONES = ("A区", "B区", "C区", "一期", "二期", "三期")

STREETS = (
    "天骄路", "王府路", "郡王府街", "伊金霍洛大街", "札萨克大街", "文明路", "铁路街",
    "乌兰木伦路", "纳林路", "迎宾路", "民族街", "新华街", "通格朗街", "苏布尔嘎路",
    "康和路", "学府路", "锦绣街", "长青路",
)  # fmt: skip

# Two characters from this list make an enterprise's brand (字号): 恒泰, 瑞丰, 鑫达 …
BRAND_CHARS = (
    "恒泰康瑞丰祥和鑫盛达兴隆华宇嘉禾安居福源润德博远宏众信泽鼎金海东升天骄乐民惠佳正诚聚昌永茂星辰"
)
ENTERPRISE_REGIONS = ("伊金霍洛旗", "伊金霍洛旗", "鄂尔多斯市", "内蒙古")
ENTERPRISE_TRADES = ("物业服务", "物业管理")
ENTERPRISE_FORMS = ("有限公司", "有限责任公司")
UTILITY_TRADES = {
    UtilityKind.WATER: "供水有限责任公司",
    UtilityKind.POWER: "供电有限公司",
    UtilityKind.GAS: "燃气有限公司",
    UtilityKind.HEAT: "热力有限责任公司",
    UtilityKind.TELECOM: "通信网络有限公司",
}

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁"
    "魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤"
    "尹黎易常武乔贺赖龚文奇云"
)
GIVEN_CHARS = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国玉兰志红梅海燕宇鹏飞慧琴丹浩"
    "亮斌波宁欣怡晨阳雪梅俊峰凤兰春生金凤永胜文博子涵雅婷佳瑞晓东"
)
# Mongolian given names, used alone as a full name as is common in the banner.
MONGOLIAN_NAMES = (
    "巴图", "其木格", "乌云", "斯琴", "额尔敦", "朝鲁", "娜仁", "图雅", "苏和", "宝音",
    "敖其尔", "萨仁", "格日勒", "那顺", "哈斯", "阿拉坦", "孟和", "布和", "乌力吉", "达来",
    "满都拉", "其其格", "乌日娜", "苏日娜", "巴特尔", "吉日嘎拉", "额尔德木图", "塔娜",
)  # fmt: skip
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
    "150", "151", "152", "153", "155", "156", "157", "158", "159",
    "180", "181", "182", "183", "185", "186", "187", "188", "189",
)  # fmt: skip

# Area codes of resident ID numbers: the banner first, then other places of Inner Mongolia.
RESIDENT_AREA_CODES = (
    ("150627", 70),  # 伊金霍洛旗
    ("150602", 8),  # 鄂尔多斯市东胜区
    ("150603", 4),  # 鄂尔多斯市康巴什区
    ("150621", 4),  # 达拉特旗
    ("150622", 4),  # 准格尔旗
    ("150626", 3),  # 乌审旗
    ("150102", 3),  # 呼和浩特市新城区
    ("150203", 4),  # 包头市昆都仑区
)
