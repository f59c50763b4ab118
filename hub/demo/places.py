"""Places of 伊金霍洛旗 for the demo data, and name parts to generate the places nobody listed.

The banner, its seven towns, the 水岸新城 area and the communities and compounds of 阿勒腾席热镇 are
public (MISSION.md, "Places for realistic demo data") and are loaded with ``generated=False``. The
codes are plausible, not official: the banner's area code 150627, then three digits per town-level
unit and three per community. Everything built from the name parts below is ``generated=True``.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.domain.enums import TownKind, UtilityKind

BANNER_CODE = "150627"
BANNER_NAME = "伊金霍洛旗"
SEAT_CODE = "150627100"  # 阿勒腾席热镇, the seat of the banner


@dataclass(frozen=True, slots=True)
class TownPlace:
    """A town or the town-level office of 水岸新城, and the member unit that governs it (R1)."""

    code: str
    name: str
    kind: TownKind
    unit_name: str


TOWNS: tuple[TownPlace, ...] = (
    TownPlace("150627100", "阿勒腾席热镇", TownKind.TOWN, "阿勒腾席热镇人民政府"),
    TownPlace("150627101", "乌兰木伦镇", TownKind.TOWN, "乌兰木伦镇人民政府"),
    TownPlace("150627102", "伊金霍洛镇", TownKind.TOWN, "伊金霍洛镇人民政府"),
    TownPlace("150627103", "札萨克镇", TownKind.TOWN, "札萨克镇人民政府"),
    TownPlace("150627104", "纳林陶亥镇", TownKind.TOWN, "纳林陶亥镇人民政府"),
    TownPlace("150627105", "红庆河镇", TownKind.TOWN, "红庆河镇人民政府"),
    TownPlace("150627106", "苏布尔嘎镇", TownKind.TOWN, "苏布尔嘎镇人民政府"),
    TownPlace("150627400", "水岸新城", TownKind.OFFICE, "水岸新城推进办"),
)

# The communities of 阿勒腾席热镇 and their compounds, as publicly listed (codes 150627100001…).
SEAT_COMMUNITIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("园林社区", ("民悦A区", "民悦B区", "民悦C区", "百合花园", "富贵苑", "馨雅苑A区")),
    (
        "通格朗社区",
        ("西苑小区", "亿城A区", "亿城B区", "兴盟时代广场", "丽景家园", "尚岛国际", "郡王现代城"),
    ),
    (
        "纳林高勒社区",
        ("博源柳河湾", "柳岸华庭", "锦尚苑A区", "锦尚苑B区", "锦尚苑C区", "万佳富园"),
    ),
    ("札萨克社区", ("乌兰小区", "明珠花园A区", "明珠花园B区", "碧影华城", "天隆佳苑", "万佳裕园")),
    ("满达社区", ("祥惠苑", "凤凰城")),
    ("平安社区", ("平安小区", "广厦小区", "金鹭小区")),
    ("文明街社区", ("绿苑小区", "御景嘉苑")),
    ("恩可社区", ("宏泰尚都", "澜园", "澄园", "清园", "润园")),
    ("阿吉奈社区", ("伊锦苑", "辰元西园", "普雅花园", "丽都水岸", "西山领秀")),
    ("乌兰淖尔社区", ("红海家园", "蓝天家园", "墨金苑")),
    ("吉日嘎朗社区", ("顺泰苑", "嘉泰苑", "城投玉园", "悦和城")),
    ("新北社区", ("阳光家园",)),
    ("王府路社区", ("公园天下观邸", "万豪国际", "王府小区")),
)

# Other member units of the joint conference (R1): (unit code, name).
COMPETENT_DEPARTMENT = ("zjj", "伊金霍洛旗住房和城乡建设局")
DEPARTMENTS = (
    ("cgj", "伊金霍洛旗城市管理综合行政执法局"),
    ("xfdd", "伊金霍洛旗消防救援大队"),
)
PARTY_PUBLICITY = (
    ("zzb", "中共伊金霍洛旗委员会组织部"),
    ("xcb", "中共伊金霍洛旗委员会宣传部"),
)
INSPECTION_OFFICE = ("dcs", "伊金霍洛旗人民政府督查室")

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
