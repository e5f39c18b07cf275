"""Fake personal data (built-in lists, deterministic by the rng passed in). No real person.

Every value is assembled from small built-in lists and random digits; formats follow the real ones
(carrier tracking formats, check digits, ID-number checksum) so the OCR and the classifier face what they
face on real labels.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

import numpy as np

Rng = np.random.Generator


def pick(rng: Rng, seq):
    return seq[int(rng.integers(len(seq)))]


def digits(rng: Rng, n: int, first_nonzero: bool = False) -> str:
    s = "".join(str(int(d)) for d in rng.integers(0, 10, n))
    if first_nonzero and s and s[0] == "0":
        s = str(int(rng.integers(1, 10))) + s[1:]
    return s


def chance(rng: Rng, p: float) -> bool:
    return bool(rng.random() < p)


# ----------------------------------------------------------------------------------------------- Chinese
ZH_SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
ZH_COMPOUND = [
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "长孙",
    "令狐",
    "夏侯",
    "宇文",
    "端木",
]
ZH_GIVEN = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚晓婷宇浩欣琳雪梅鹏辉玲斌华红飞鑫波宁慧颖佳嘉瑶琪睿轩涵萱诺远"
)
ZH_GIVEN2 = [
    "秀英",
    "桂英",
    "建华",
    "志强",
    "子涵",
    "梓萱",
    "一诺",
    "思远",
    "雨桐",
    "浩然",
    "俊杰",
    "欣怡",
    "晓燕",
    "文博",
    "国庆",
    "海燕",
    "春梅",
    "立新",
    "嘉怡",
    "宇航",
]

# (province, city, [districts]); municipalities have province == city
ZH_REGIONS = [
    ("浙江省", "杭州市", ["西湖区", "余杭区", "拱墅区", "滨江区", "萧山区", "临安区"]),
    ("浙江省", "金华市", ["义乌市", "婺城区", "东阳市", "永康市"]),
    ("浙江省", "宁波市", ["鄞州区", "海曙区", "慈溪市"]),
    ("广东省", "深圳市", ["南山区", "福田区", "宝安区", "龙岗区", "龙华区"]),
    ("广东省", "广州市", ["天河区", "越秀区", "番禺区", "白云区", "海珠区"]),
    ("广东省", "东莞市", ["长安镇", "虎门镇", "松山湖"]),
    ("江苏省", "南京市", ["鼓楼区", "玄武区", "江宁区", "建邺区"]),
    ("江苏省", "苏州市", ["工业园区", "姑苏区", "吴中区", "昆山市"]),
    ("北京市", "北京市", ["朝阳区", "海淀区", "丰台区", "西城区", "通州区", "昌平区"]),
    ("上海市", "上海市", ["浦东新区", "闵行区", "徐汇区", "静安区", "松江区", "嘉定区"]),
    ("天津市", "天津市", ["南开区", "河西区", "滨海新区"]),
    ("重庆市", "重庆市", ["渝北区", "江北区", "沙坪坝区", "巫山县"]),
    ("四川省", "成都市", ["武侯区", "锦江区", "高新区", "双流区", "郫都区"]),
    ("湖北省", "武汉市", ["洪山区", "江汉区", "武昌区", "东西湖区"]),
    ("山东省", "青岛市", ["崂山区", "市南区", "黄岛区", "即墨区"]),
    ("山东省", "济南市", ["历下区", "槐荫区", "章丘区"]),
    ("河南省", "郑州市", ["金水区", "二七区", "中原区", "新郑市"]),
    ("福建省", "厦门市", ["思明区", "湖里区", "集美区"]),
    ("陕西省", "西安市", ["雁塔区", "碑林区", "未央区", "长安区"]),
    ("湖南省", "长沙市", ["岳麓区", "芙蓉区", "雨花区", "浏阳市"]),
    ("河北省", "保定市", ["涿州市", "竞秀区", "定州市", "高碑店市"]),
    ("河北省", "石家庄市", ["长安区", "桥西区", "正定县"]),
    ("安徽省", "阜阳市", ["临泉县", "颍州区", "太和县"]),
    ("安徽省", "合肥市", ["蜀山区", "包河区", "肥西县"]),
    ("云南省", "昆明市", ["五华区", "盘龙区", "官渡区"]),
    ("辽宁省", "沈阳市", ["和平区", "浑南区", "铁西区"]),
    ("黑龙江省", "哈尔滨市", ["南岗区", "道里区", "呼兰区"]),
    ("广西壮族自治区", "南宁市", ["青秀区", "西乡塘区", "武鸣区"]),
    ("新疆维吾尔自治区", "乌鲁木齐市", ["天山区", "沙依巴克区"]),
    ("江西省", "赣州市", ["章贡区", "于都县", "瑞金市"]),
]
ZH_ROADS = [
    "文三路",
    "中山路",
    "人民路",
    "解放路",
    "建设路",
    "和平路",
    "长江路",
    "黄河路",
    "科技园南路",
    "学府路",
    "滨江大道",
    "南京东路",
    "深南大道",
    "天府大道",
    "延安西路",
    "五四路",
    "胜利街",
    "工农路",
    "迎宾大道",
    "朝阳北路",
    "望京西路",
    "莲花路",
    "幸福大街",
    "江南大道",
    "青年路",
    "北京路",
    "高新二路",
    "创业路",
]
ZH_COMMUNITIES = [
    "阳光花园",
    "碧桂园",
    "万科城",
    "金色家园",
    "翠苑",
    "锦绣江南",
    "幸福里",
    "绿城春江明月",
    "保利花园",
    "龙湖天街",
    "华润城",
    "世纪新城",
    "桃源居",
    "御景湾",
    "和谐家园",
    "枫林小区",
    "紫金苑",
    "东方明珠公寓",
    "丽景湾",
    "香樟园",
]
ZH_STREETS = [
    "稠城街道",
    "城关镇",
    "北苑街道",
    "古荡街道",
    "沙河街道",
    "大朗镇",
    "新桥镇",
    "东城街道",
    "宋庄镇",
    "黄桥乡",
    "马坊镇",
    "城南街道",
]
ZH_VILLAGES = ["李家村", "王庄村", "新民村", "前进村", "红星村", "石桥村", "东湖村", "杨柳村"]
ZH_COMPANIES = ["旗舰店", "官方旗舰店", "专营店", "优选仓", "电商仓", "品牌直营店"]
ZH_SHOPS = [
    "小米",
    "良品铺子",
    "三只松鼠",
    "优衣库",
    "安踏",
    "李宁",
    "美的",
    "格力",
    "百草味",
    "名创优品",
    "得力",
    "南极人",
    "恒源祥",
    "森马",
]
ZH_GOODS = ["服饰", "日用品", "食品", "文具", "电子产品", "鞋", "化妆品", "图书", "配件", "家居用品"]

ZH_AREA_CODES = [
    "010",
    "021",
    "022",
    "023",
    "020",
    "0755",
    "0571",
    "025",
    "028",
    "027",
    "0532",
    "0371",
    "0592",
    "029",
    "0731",
    "0312",
    "0311",
    "0558",
    "0871",
    "024",
    "0451",
    "0771",
    "0991",
    "0797",
]
ZH_MOBILE_PREFIX = [
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "157",
    "158",
    "159",
    "166",
    "173",
    "176",
    "177",
    "180",
    "181",
    "182",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "193",
    "195",
    "198",
    "199",
]
ZH_ID_REGIONS = [
    "110101",
    "110105",
    "310104",
    "330106",
    "330782",
    "440305",
    "440106",
    "320102",
    "510107",
    "420111",
    "370212",
    "410105",
    "350203",
    "610113",
    "430104",
    "130681",
    "341221",
    "530102",
]


def zh_name(rng: Rng) -> str:
    sur = pick(rng, ZH_COMPOUND) if chance(rng, 0.12) else pick(rng, ZH_SURNAMES)
    if chance(rng, 0.3):
        given = pick(rng, ZH_GIVEN2)
    elif chance(rng, 0.45):
        given = pick(rng, ZH_GIVEN)
    else:
        given = pick(rng, ZH_GIVEN) + pick(rng, ZH_GIVEN)
    return sur + given


def zh_mask_name(name: str) -> str:
    """Privacy-waybill style: 张* / 欧阳** / 王*明."""
    sur = name[:2] if name[:2] in ZH_COMPOUND else name[:1]
    rest = len(name) - len(sur)
    if rest >= 2 and len(name) == 3 and sur == name[:1]:
        return sur + "*" + name[-1]
    return sur + "*" * max(1, rest)


def zh_mobile(rng: Rng) -> str:
    return pick(rng, ZH_MOBILE_PREFIX) + digits(rng, 8)


def zh_mask_mobile(m: str) -> str:
    return m[:3] + "****" + m[-4:]


def zh_virtual(rng: Rng) -> str:
    base = pick(rng, ["170", "171", "165", "167"]) + digits(rng, 8)
    ext = digits(rng, 4)
    return f"{base}-{ext}" if chance(rng, 0.6) else f"{base}转{ext}"


def zh_landline(rng: Rng) -> str:
    area = pick(rng, ZH_AREA_CODES)
    n = 8 if len(area) == 3 else pick(rng, [7, 8])
    return f"{area}-{digits(rng, n, first_nonzero=True)}"


def zh_id_number(rng: Rng) -> str:
    region = pick(rng, ZH_ID_REGIONS)
    year = int(rng.integers(1950, 2006))
    month = int(rng.integers(1, 13))
    day = int(rng.integers(1, 29))
    body = f"{region}{year:04d}{month:02d}{day:02d}{digits(rng, 3)}"
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    s = sum(int(c) * k for c, k in zip(body, w))
    return body + "10X98765432"[s % 11]


def id_checksum_ok(idn: str) -> bool:
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    if len(idn) != 18 or not idn[:17].isdigit():
        return False
    return "10X98765432"[sum(int(c) * k for c, k in zip(idn[:17], w)) % 11] == idn[17].upper()


@dataclass(frozen=True)
class ZhAddress:
    region: str  # 浙江省杭州市西湖区 (municipalities: 北京市朝阳区)
    detail: str  # street / community / building / room
    postcode: str
    province: str
    city: str

    @property
    def full(self) -> str:
        return self.region + self.detail


def zh_address(rng: Rng, long: bool = False) -> ZhAddress:
    prov, city, dists = pick(rng, ZH_REGIONS)
    dist = pick(rng, dists)
    region = (prov + dist) if prov == city else (prov + city + dist)
    parts: list[str] = []
    style = int(rng.integers(0, 4))
    if style == 3 or (long and chance(rng, 0.4)):
        # rural: 镇/乡 + 村 + 组
        parts.append(pick(rng, ZH_STREETS))
        parts.append(pick(rng, ZH_VILLAGES))
        parts.append(f"{int(rng.integers(1, 12))}组{int(rng.integers(1, 120))}号")
    else:
        if long or chance(rng, 0.35):
            parts.append(pick(rng, ZH_STREETS))
        parts.append(pick(rng, ZH_ROADS) + f"{int(rng.integers(1, 999))}号")
        parts.append(pick(rng, ZH_COMMUNITIES) + ("小区" if chance(rng, 0.3) else ""))
        bld = pick(rng, ["栋", "幢", "号楼"])
        parts.append(
            f"{int(rng.integers(1, 30))}{bld}{int(rng.integers(1, 6))}单元{int(rng.integers(1, 33))}"
            f"{int(rng.integers(1, 9)):02d}室"
        )
    postcode = digits(rng, 6, first_nonzero=True)
    return ZhAddress(region=region, detail="".join(parts), postcode=postcode, province=prov, city=city)


def zh_mask_address(addr: ZhAddress) -> str:
    """Privacy waybills keep the region and hide the detail: 浙江省杭州市西湖区文三路***"""
    d = addr.detail
    return addr.region + d[: max(2, len(d) // 4)] + "****"


# tracking numbers per carrier (real formats, random digits)
def zh_tracking(rng: Rng, carrier: str) -> str:
    if carrier == "ZTO":
        return "7" + digits(rng, int(rng.integers(11, 14)))
    if carrier == "YTO":
        return "YT" + digits(rng, 13)
    if carrier == "STO":
        return pick(rng, ["77", "66"]) + digits(rng, int(rng.integers(11, 14)))
    if carrier == "YUNDA":
        return "43" + digits(rng, 11)
    if carrier == "JT":
        return "JT" + digits(rng, 13)
    if carrier == "SF":
        return "SF" + digits(rng, int(rng.integers(12, 16)))
    if carrier == "JD":
        return pick(rng, ["JDVA", "JDVB", "JDVC", "JD"]) + digits(rng, 13 if chance(rng, 0.5) else 11)
    if carrier == "EMS":
        if chance(rng, 0.5):
            return "1" + digits(rng, 12)
        return pick(rng, ["EA", "EB", "EE", "EM"]) + s10_body(rng) + "CN"
    if carrier == "CAINIAO":
        return "CN" + digits(rng, 14)
    return digits(rng, 13)


def s10_body(rng: Rng) -> str:
    """UPU S10: 8 digits + check digit."""
    d = digits(rng, 8)
    w = [8, 6, 4, 2, 3, 5, 9, 7]
    c = 11 - sum(int(a) * b for a, b in zip(d, w)) % 11
    c = 5 if c == 11 else (0 if c == 10 else c)
    return d + str(c)


ZH_CARRIERS = {
    # code: (brand text, hotline, short name)
    "ZTO": ("中通快递", "95311", "中通"),
    "YTO": ("圆通速递", "95554", "圆通"),
    "STO": ("申通快递", "95543", "申通"),
    "YUNDA": ("韵达快递", "95546", "韵达"),
    "JT": ("极兔速递", "956025", "极兔"),
    "SF": ("顺丰速运", "95338", "顺丰"),
    "JD": ("京东快递", "950616", "京东"),
    "EMS": ("EMS 中国邮政速递物流", "11183", "EMS"),
    "CAINIAO": ("菜鸟速递", "95187", "菜鸟"),
}
ZH_HUBS = [
    "杭州转运中心",
    "义乌分拨中心",
    "广州转运中心",
    "深圳宝安集散",
    "上海浦东转运中心",
    "北京顺义分拨中心",
    "成都转运中心",
    "武汉集散中心",
    "郑州转运中心",
    "南京分拨中心",
    "西安集散中心",
    "青岛转运中心",
]


def zh_sort_code(rng: Rng) -> str:
    """三段码 like '310-W01 00', '530 M6-12 A01', '755-KB 03'."""
    style = int(rng.integers(0, 3))
    if style == 0:
        return f"{digits(rng, 3, True)}-{pick(rng, list('WABCDHM'))}{digits(rng, 2)} {digits(rng, 2)}"
    if style == 1:
        return (
            f"{digits(rng, 3, True)} {pick(rng, list('MNKR'))}{int(rng.integers(1, 10))}-{digits(rng, 2)} "
            f"{pick(rng, list('ABC'))}{digits(rng, 2)}"
        )
    return f"{digits(rng, 3, True)}-{pick(rng, ['KB', 'TC', 'GD', 'HZ'])} {digits(rng, 2)}"


def zh_datetime(rng: Rng) -> str:
    return (
        f"20{int(rng.integers(23, 27))}-{int(rng.integers(1, 13)):02d}-{int(rng.integers(1, 29)):02d} "
        f"{int(rng.integers(0, 24)):02d}:{int(rng.integers(0, 60)):02d}:{int(rng.integers(0, 60)):02d}"
    )


def zh_hotline_400(rng: Rng) -> str:
    return f"400-{digits(rng, 3)}-{digits(rng, 4)}"


# ----------------------------------------------------------------------------------------------- Western
EN_FIRST = [
    "JAMES",
    "MARY",
    "ROBERT",
    "PATRICIA",
    "JOHN",
    "JENNIFER",
    "MICHAEL",
    "LINDA",
    "DAVID",
    "ELIZABETH",
    "WILLIAM",
    "BARBARA",
    "RICHARD",
    "SUSAN",
    "JOSEPH",
    "JESSICA",
    "THOMAS",
    "SARAH",
    "CHARLES",
    "KAREN",
    "DANIEL",
    "NANCY",
    "MATTHEW",
    "LISA",
    "ANTHONY",
    "BETTY",
    "MARK",
    "SANDRA",
    "STEVEN",
    "ASHLEY",
    "ANDREW",
    "EMILY",
    "KEVIN",
    "MICHELLE",
    "BRIAN",
    "AMANDA",
    "OLIVIA",
    "ETHAN",
    "SOPHIA",
    "LIAM",
    "PRIYA",
    "RAHUL",
    "ANANYA",
    "ARJUN",
    "WEI",
    "HIROSHI",
    "FATIMA",
    "CARLOS",
    "LUCIA",
    "MATEO",
]
EN_LAST = [
    "SMITH",
    "JOHNSON",
    "WILLIAMS",
    "BROWN",
    "JONES",
    "GARCIA",
    "MILLER",
    "DAVIS",
    "RODRIGUEZ",
    "MARTINEZ",
    "HERNANDEZ",
    "LOPEZ",
    "GONZALEZ",
    "WILSON",
    "ANDERSON",
    "THOMAS",
    "TAYLOR",
    "MOORE",
    "JACKSON",
    "MARTIN",
    "LEE",
    "PEREZ",
    "THOMPSON",
    "WHITE",
    "HARRIS",
    "SANCHEZ",
    "CLARK",
    "RAMIREZ",
    "LEWIS",
    "ROBINSON",
    "WALKER",
    "YOUNG",
    "ALLEN",
    "KING",
    "WRIGHT",
    "SCOTT",
    "NGUYEN",
    "HILL",
    "FLORES",
    "O'BRIEN",
    "MCALLISTER",
    "SHARMA",
    "PATEL",
    "IYER",
    "REDDY",
    "KOWALSKI",
    "MUELLER",
    "SCHMIDT",
]
EN_STREETS = [
    "MAPLE",
    "OAK",
    "PINE",
    "CEDAR",
    "ELM",
    "WASHINGTON",
    "LAKE",
    "HILL",
    "PARK",
    "MAIN",
    "SUNSET",
    "RIVERSIDE",
    "CHESTNUT",
    "WILLOW",
    "MADISON",
    "FRANKLIN",
    "JEFFERSON",
    "LINCOLN",
    "HIGHLAND",
    "MEADOW",
    "CHERRY",
    "SPRUCE",
    "BIRCH",
    "FOREST",
    "VALLEY",
    "GRANT",
    "LAUREL",
    "HARBOR",
]
EN_SUFFIX = ["ST", "AVE", "RD", "BLVD", "DR", "LN", "CT", "WAY", "PL", "TER", "PKWY", "CIR"]
US_CITIES = [
    ("SPRINGFIELD", "IL", "627"),
    ("PORTLAND", "OR", "972"),
    ("AUSTIN", "TX", "787"),
    ("COLUMBUS", "OH", "432"),
    ("DENVER", "CO", "802"),
    ("MADISON", "WI", "537"),
    ("RALEIGH", "NC", "276"),
    ("SEATTLE", "WA", "981"),
    ("BOSTON", "MA", "021"),
    ("BROOKLYN", "NY", "112"),
    ("NEW YORK", "NY", "100"),
    ("SAN JOSE", "CA", "951"),
    ("LOS ANGELES", "CA", "900"),
    ("PHOENIX", "AZ", "850"),
    ("ATLANTA", "GA", "303"),
    ("MIAMI", "FL", "331"),
    ("NASHVILLE", "TN", "372"),
    ("SALT LAKE CITY", "UT", "841"),
    ("MINNEAPOLIS", "MN", "554"),
    ("PITTSBURGH", "PA", "152"),
    ("ANCHORAGE", "AK", "995"),
    ("ALBUQUERQUE", "NM", "871"),
    ("OMAHA", "NE", "681"),
    ("RICHMOND", "VA", "232"),
]
US_COMPANIES = [
    "ACME SUPPLY CO",
    "NORTHWIND TRADERS",
    "BLUE RIVER GOODS",
    "SUMMIT OUTFITTERS",
    "PIXEL PARTS LLC",
    "GREENLEAF HOME",
    "CONTOSO LTD",
    "FABRIKAM INC",
    "TAILSPIN TOYS",
    "WINGTIP GEAR",
]
UK_CITIES = ["LONDON", "MANCHESTER", "BRISTOL", "LEEDS", "EDINBURGH", "CARDIFF", "OXFORD"]
CA_CITIES = [("TORONTO", "ON"), ("VANCOUVER", "BC"), ("MONTREAL", "QC"), ("CALGARY", "AB"), ("OTTAWA", "ON")]
DE_CITIES = ["BERLIN", "MUENCHEN", "HAMBURG", "KOELN", "FRANKFURT AM MAIN", "STUTTGART"]
IN_CITIES = [
    ("MUMBAI", "MAHARASHTRA", "400"),
    ("BENGALURU", "KARNATAKA", "560"),
    ("NEW DELHI", "DELHI", "110"),
    ("CHENNAI", "TAMIL NADU", "600"),
    ("HYDERABAD", "TELANGANA", "500"),
    ("PUNE", "MAHARASHTRA", "411"),
    ("KOLKATA", "WEST BENGAL", "700"),
    ("JAIPUR", "RAJASTHAN", "302"),
]
IN_LOCALITIES = [
    "SECTOR 21",
    "MG ROAD",
    "ANDHERI EAST",
    "KORAMANGALA 5TH BLOCK",
    "SALT LAKE CITY",
    "BANJARA HILLS",
    "VIMAN NAGAR",
    "T NAGAR",
    "MALVIYA NAGAR",
    "INDIRANAGAR",
]
EMAIL_DOMAINS = [
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "example.com",
    "mail.example.org",
    "icloud.com",
    "proton.me",
    "hotmail.co.uk",
]


def en_name(rng: Rng) -> str:
    first, last = pick(rng, EN_FIRST), pick(rng, EN_LAST)
    if chance(rng, 0.2):
        return f"{first} {pick(rng, list(string.ascii_uppercase))} {last}"
    return f"{first} {last}"


def en_street(rng: Rng) -> str:
    return (
        f"{int(rng.integers(1, 9999))} {pick(rng, ['', 'N ', 'S ', 'E ', 'W '])}{pick(rng, EN_STREETS)} "
        f"{pick(rng, EN_SUFFIX)}"
    )


def en_unit(rng: Rng) -> str:
    return pick(
        rng,
        [
            f"APT {int(rng.integers(1, 40))}{pick(rng, list('ABCDEF'))}",
            f"UNIT {int(rng.integers(1, 300))}",
            f"STE {int(rng.integers(1, 9)) * 100}",
            f"APT {int(rng.integers(100, 2400))}",
            f"# {int(rng.integers(1, 99))}",
        ],
    )


def us_zip(rng: Rng, prefix: str, plus4: bool) -> str:
    z = prefix + digits(rng, 2)
    return f"{z}-{digits(rng, 4)}" if plus4 else z


def us_phone(rng: Rng) -> str:
    a, b, c = digits(rng, 3, True), digits(rng, 3, True), digits(rng, 4)
    if a[0] in "01":
        a = "2" + a[1:]
    fmt = int(rng.integers(0, 4))
    return [f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"+1 {a} {b} {c}", f"{a}.{b}.{c}"][fmt]


def uk_postcode(rng: Rng) -> str:
    L = string.ascii_uppercase
    return (
        f"{pick(rng, ['SW', 'EC', 'N', 'M', 'BS', 'LS', 'EH', 'OX', 'CF'])}{int(rng.integers(1, 20))} "
        f"{int(rng.integers(1, 10))}{pick(rng, list(L))}{pick(rng, list(L))}"
    )


def ca_postcode(rng: Rng) -> str:
    L = "ABCEGHJKLMNPRSTVXY"
    return (
        f"{pick(rng, list('KLMNPTV'))}{int(rng.integers(0, 10))}{pick(rng, list(L))} "
        f"{int(rng.integers(0, 10))}{pick(rng, list(L))}{int(rng.integers(0, 10))}"
    )


def uk_phone(rng: Rng) -> str:
    return (
        f"+44 {pick(rng, ['20', '161', '117', '131'])} {digits(rng, 4)} {digits(rng, 4)}"
        if chance(rng, 0.5)
        else f"+44 7{digits(rng, 3)} {digits(rng, 6)}"
    )


def in_phone(rng: Rng) -> str:
    m = pick(rng, ["9", "8", "7", "6"]) + digits(rng, 9)
    return f"+91 {m[:5]} {m[5:]}" if chance(rng, 0.6) else f"+91-{m}"


def email(rng: Rng, name: str) -> str:
    parts = [p for p in name.lower().replace("'", "").split() if len(p) > 1]
    user = pick(
        rng, [".".join(parts), parts[0] + parts[-1][:1], parts[0][:1] + parts[-1], parts[-1] + digits(rng, 2)]
    )
    return f"{user}@{pick(rng, EMAIL_DOMAINS)}"


def ups_tracking(rng: Rng) -> str:
    alnum = string.ascii_uppercase + string.digits
    body = (
        "".join(pick(rng, list(alnum)) for _ in range(6))
        + pick(rng, ["01", "02", "03", "12", "13", "42"])
        + digits(rng, 7)
    )
    total = 0
    for i, ch in enumerate(body):
        v = int(ch) if ch.isdigit() else (ord(ch) - 63) % 10
        total += v * (2 if i % 2 == 1 else 1)
    check = (10 - total % 10) % 10
    return "1Z" + body + str(check)


def ups_check_ok(t: str) -> bool:
    if len(t) != 18 or not t.startswith("1Z"):
        return False
    body = t[2:17]
    total = sum(
        (int(c) if c.isdigit() else (ord(c) - 63) % 10) * (2 if i % 2 == 1 else 1) for i, c in enumerate(body)
    )
    return str((10 - total % 10) % 10) == t[17]


def usps_tracking(rng: Rng) -> str:
    """22 digits, IMpb-like: 9400/9205/9300/9261 + 17 + mod10 check."""
    body = pick(rng, ["9400", "9205", "9300", "9261", "9270"]) + digits(rng, 17)
    s = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(body)))
    return body + str((10 - s % 10) % 10)


def group(s: str, sizes) -> str:
    out, i = [], 0
    for n in sizes:
        if i >= len(s):
            break
        out.append(s[i : i + n])
        i += n
    if i < len(s):
        out.append(s[i:])
    return " ".join(out)


def en_date(rng: Rng) -> str:
    return f"{int(rng.integers(1, 13)):02d}/{int(rng.integers(1, 29)):02d}/20{int(rng.integers(23, 27))}"


def weight_lb(rng: Rng) -> str:
    return (
        f"{rng.uniform(0.2, 30):.1f} LBS"
        if chance(rng, 0.6)
        else f"{int(rng.integers(1, 40))} LB {int(rng.integers(0, 16))} OZ"
    )


def pair(a, b) -> tuple:
    return a, b
