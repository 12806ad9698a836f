//! The deterministic demo data set: about 700 invented subordinate offices (隶属海关) under the 42 real direct
//! customs.
//!
//! Real subordinate office lists are not public (domain brief, DOMAIN.md §1), so the demo invents them; every
//! row's 备注 starts with `示例数据` so it can never pass for real data. The set is produced in the import CSV
//! format ([`super::import::CSV_HEADER`]) and is meant to flow through the same [`super::import::parse`] and
//! [`super::import::plan`] as real data, on top of [`super::import::DIRECT_CUSTOMS_CSV`].
//!
//! The rules of the set:
//! - Codes are `XXNN` under the district prefix of the direct customs (`0201` under 天津 `0200`); a code never
//!   changes, so an office that moves to another district keeps its code (and so its old prefix).
//! - Counts per district are plausible: 25–40 for the large ports (广州, 深圳, 黄埔, 上海, 宁波, 青岛, 天津, 南京,
//!   杭州), 4–8 for 拉萨, 西宁, 银川. The first three offices of every district have a plain history, so every
//!   district has at least three offices on every date from 2020 on.
//! - Names are real for the few offices public sources name (天津: 新港海关, 东港海关; 满洲里: 海拉尔海关, 额尔古纳海关;
//!   乌鲁木齐: 阿拉山口海关, 霍尔果斯海关, 喀什海关), and otherwise read like real ones (`<place>海关`,
//!   `<place>机场海关`, `<place>港海关`, `<place>综合保税区海关`, …), distinct over the whole set.
//! - History makes dates matter: [`OPENED`] offices open during 2022–2023, [`CLOSED`] close, two move to another
//!   district (广州 → 黄埔 on 2022-07-01, 杭州 → 宁波 on 2023-03-01) and one in 郑州 is renamed on 2022-09-01.
//! - A hand-written splitmix64 seeded with [`SEED`] makes every choice: the output is the same on every run.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::import::{self, ImportProblem, SourceFormat, CSV_HEADER};
use super::OfficeVersion;

/// The seed of the generator.
pub const SEED: u64 = 0x6f6e_676b_6169_2023;

/// How many offices open during 2022–2023.
pub const OPENED: usize = 30;

/// How many offices close.
pub const CLOSED: usize = 5;

/// Every demo row's 备注 starts with this.
pub const DEMO_MARKER: &str = "示例数据";

/// The date the summary counts offices on (the deadline of milestone M4).
pub const SUMMARY_DATE: (i32, u32, u32) = (2022, 12, 31);

/// A direct customs with the plausible size of its demo district and the places its offices are named after
/// (separated by spaces). An entry ending in `海关` is a full office name, used as it is; the others are places.
struct District {
    prefix: &'static str,
    city: &'static str,
    count: usize,
    /// Whether `<place>港海关` reads naturally (coast and Yangtze).
    port: bool,
    places: &'static str,
}

impl District {
    const fn new(prefix: &'static str, city: &'static str, count: usize, port: bool, places: &'static str) -> Self {
        Self { prefix, city, count, port, places }
    }

    fn places(&self) -> impl Iterator<Item = &'static str> {
        self.places.split_whitespace()
    }
}

const DISTRICTS: [District; 42] = [
    District::new(
        "01",
        "北京",
        16,
        false,
        "朝阳 海淀 丰台 通州 顺义 大兴 亦庄 平谷 昌平 怀柔 房山 天竺 密云 \
         首都机场海关 大兴机场海关",
    ),
    District::new(
        "02",
        "天津",
        26,
        true,
        "新港海关 东港海关 塘沽 滨海 北疆 南疆 大港 东疆 武清 静海 宝坻 \
         蓟州 宁河 西青 津南 北辰 空港 滨海机场海关",
    ),
    District::new(
        "04",
        "石家庄",
        12,
        false,
        "石家庄 保定 唐山 秦皇岛 邯郸 邢台 沧州 廊坊 衡水 张家口 承德 \
         曹妃甸 黄骅 正定机场海关",
    ),
    District::new("05", "太原", 10, false, "太原 大同 长治 晋城 运城 临汾 晋中 吕梁 朔州 武宿机场海关"),
    District::new(
        "06",
        "满洲里",
        10,
        false,
        "海拉尔海关 额尔古纳海关 满洲里 十八里 室韦 黑山头 阿日哈沙特 额布都格 \
         扎赉诺尔 二卡 西郊机场海关",
    ),
    District::new(
        "07",
        "呼和浩特",
        12,
        false,
        "呼和浩特 包头 二连 鄂尔多斯 赤峰 通辽 乌兰察布 巴彦淖尔 乌海 \
         锡林浩特 策克 甘其毛都 满都拉 珠恩嘎达布其 白塔机场海关",
    ),
    District::new(
        "08",
        "沈阳",
        14,
        true,
        "沈阳 鞍山 抚顺 本溪 丹东 锦州 营口 鲅鱼圈 辽阳 铁岭 盘锦 阜新 \
         葫芦岛 桃仙机场海关",
    ),
    District::new(
        "09",
        "大连",
        16,
        true,
        "大连 大窑湾 大连湾 金州 旅顺 庄河 瓦房店 长兴岛 普兰店 太平湾 长海 \
         周水子机场海关",
    ),
    District::new(
        "15",
        "长春",
        12,
        false,
        "长春 吉林 延吉 珲春 图们 通化 集安 白山 长白 四平 松原 圈河 临江 \
         龙嘉机场海关",
    ),
    District::new(
        "19",
        "哈尔滨",
        16,
        false,
        "哈尔滨 齐齐哈尔 牡丹江 佳木斯 绥芬河 黑河 同江 东宁 抚远 密山 虎林 \
         逊克 萝北 饶河 大庆 漠河 太平机场海关",
    ),
    District::new(
        "22",
        "上海",
        38,
        true,
        "浦东 外港 洋山 吴淞 外高桥 浦江 闵行 松江 嘉定 青浦 金山 奉贤 \
         崇明 宝山 临港 漕河泾 张江 金桥 徐汇 静安 黄浦 杨浦 长宁 \
         虹桥机场海关 浦东机场海关",
    ),
    District::new(
        "23",
        "南京",
        34,
        true,
        "南京 金陵 新生圩 龙潭 苏州 昆山 太仓 张家港 常熟 吴江 无锡 江阴 \
         宜兴 常州 镇江 扬州 泰州 靖江 南通 如皋 海门 盐城 连云港 徐州 \
         淮安 宿迁 禄口机场海关",
    ),
    District::new(
        "29",
        "杭州",
        30,
        true,
        "杭州 萧山 钱江 下沙 余杭 富阳 嘉兴 嘉善 平湖 海宁 湖州 绍兴 柯桥 \
         义乌 金华 衢州 温州 瑞安 乐清 台州 温岭 丽水",
    ),
    District::new(
        "31",
        "宁波",
        26,
        true,
        "北仑 大榭 镇海 梅山 穿山 慈溪 余姚 奉化 象山 宁海 鄞州 舟山 岱山 \
         嵊泗 沈家门 栎社机场海关",
    ),
    District::new(
        "33",
        "合肥",
        14,
        true,
        "合肥 芜湖 安庆 马鞍山 铜陵 蚌埠 滁州 宣城 黄山 池州 阜阳 六安 \
         新桥机场海关",
    ),
    District::new(
        "35",
        "福州",
        18,
        true,
        "福州 马尾 长乐 福清 平潭 莆田 湄洲湾 宁德 三明 南平 武夷山 罗源 \
         连江",
    ),
    District::new(
        "37",
        "厦门",
        16,
        true,
        "东渡 海沧 象屿 同安 翔安 泉州 石狮 晋江 围头 漳州 东山 龙岩 \
         高崎机场海关",
    ),
    District::new(
        "40",
        "南昌",
        14,
        false,
        "南昌 九江 赣州 景德镇 萍乡 新余 鹰潭 吉安 宜春 抚州 上饶 龙南 \
         昌北机场海关",
    ),
    District::new(
        "42",
        "青岛",
        30,
        true,
        "青岛 黄岛 前湾 董家口 胶州 即墨 平度 莱西 烟台 龙口 蓬莱 威海 \
         荣成 石岛 龙眼 日照 岚山 潍坊 莱州 海阳 流亭机场海关",
    ),
    District::new(
        "43",
        "济南",
        14,
        false,
        "济南 淄博 泰安 济宁 临沂 德州 聊城 滨州 东营 菏泽 枣庄 章丘 \
         遥墙机场海关",
    ),
    District::new(
        "46",
        "郑州",
        14,
        false,
        "郑州 新郑 洛阳 开封 南阳 安阳 新乡 焦作 许昌 商丘 信阳 周口 \
         平顶山 航空港",
    ),
    District::new(
        "47",
        "武汉",
        14,
        true,
        "武汉 汉口 武昌 阳逻 东湖 宜昌 襄阳 荆州 黄石 十堰 孝感 恩施 \
         天河机场海关",
    ),
    District::new(
        "49",
        "长沙",
        14,
        true,
        "长沙 岳阳 城陵矶 衡阳 株洲 湘潭 郴州 常德 怀化 邵阳 永州 张家界 \
         黄花机场海关",
    ),
    District::new(
        "51",
        "广州",
        36,
        true,
        "广州 番禺 南沙 花都 从化 增城 佛山 南海 顺德 三水 高明 肇庆 清远 \
         韶关 云浮 河源 罗定 芳村 新风 白云机场海关",
    ),
    District::new(
        "52",
        "黄埔",
        26,
        true,
        "黄埔 东莞 长安 虎门 常平 凤岗 沙田 新沙 萝岗 老港 穗东 清溪 塘厦 \
         麻涌 大朗 寮步",
    ),
    District::new(
        "53",
        "深圳",
        36,
        true,
        "皇岗 罗湖 文锦渡 沙头角 蛇口 大鹏 盐田 福田 宝安 大铲 梅林 龙岗 \
         前海 深圳湾 光明 坪山 惠州 惠东 惠阳 大亚湾 汕尾 龙华 南山",
    ),
    District::new(
        "57",
        "拱北",
        18,
        true,
        "拱北 珠海 横琴 斗门 高栏 九洲 香洲 万山 中山 小榄 坦洲 湾仔 青茂 \
         港珠澳大桥海关",
    ),
    District::new("60", "汕头", 14, true, "汕头 广澳 潮州 饶平 揭阳 普宁 梅州 澄海 潮阳 南澳 外砂 惠来"),
    District::new(
        "64",
        "海口",
        14,
        true,
        "海口 洋浦 三亚 八所 琼海 文昌 儋州 万宁 马村 博鳌 美兰机场海关 \
         凤凰机场海关",
    ),
    District::new("67", "湛江", 12, true, "湛江 霞山 徐闻 廉江 吴川 茂名 阳江 电白 雷州 东海岛 宝满"),
    District::new("68", "江门", 12, true, "江门 新会 台山 开平 鹤山 恩平 高沙 外海 三埠 公益"),
    District::new(
        "72",
        "南宁",
        18,
        true,
        "南宁 凭祥 友谊关 东兴 防城港 钦州 北海 梧州 柳州 桂林 玉林 贵港 \
         百色 龙邦 水口 爱店 崇左 吴圩机场海关",
    ),
    District::new(
        "79",
        "成都",
        14,
        false,
        "成都 青白江 绵阳 德阳 泸州 宜宾 乐山 南充 自贡 攀枝花 达州 \
         双流机场海关 天府机场海关",
    ),
    District::new("80", "重庆", 12, true, "重庆 寸滩 两路 西永 果园 涪陵 万州 永川 璧山 黔江 江北机场海关"),
    District::new("83", "贵阳", 8, false, "贵阳 遵义 六盘水 安顺 铜仁 毕节 凯里 兴义 龙洞堡机场海关"),
    District::new(
        "86",
        "昆明",
        18,
        false,
        "昆明 瑞丽 畹町 河口 磨憨 腾冲 天保 打洛 孟定 西双版纳 大理 丽江 \
         文山 红河 章凤 长水机场海关",
    ),
    District::new("88", "拉萨", 6, false, "拉萨 日喀则 樟木 吉隆 普兰 亚东 贡嘎机场海关"),
    District::new(
        "90",
        "西安",
        12,
        false,
        "西安 咸阳 宝鸡 渭南 汉中 榆林 延安 安康 铜川 商洛 杨凌 \
         咸阳机场海关",
    ),
    District::new(
        "94",
        "乌鲁木齐",
        16,
        false,
        "阿拉山口海关 霍尔果斯海关 喀什海关 乌鲁木齐 伊宁 塔城 巴克图 吉木乃 \
         阿勒泰 红其拉甫 吐尔尕特 伊尔克什坦 库尔勒 哈密 老爷庙 博乐 石河子 \
         地窝堡机场海关",
    ),
    District::new("95", "兰州", 9, false, "兰州 天水 酒泉 嘉峪关 张掖 武威 金昌 敦煌 马鬃山 中川机场海关"),
    District::new("96", "西宁", 5, false, "西宁 格尔木 海东 德令哈 曹家堡机场海关"),
    District::new("99", "银川", 6, false, "银川 惠农 石嘴山 吴忠 中卫 河东机场海关"),
];

/// The office names that public sources give (DOMAIN.md §1); every other name is invented.
const REAL_NAMES: [&str; 7] =
    ["新港海关", "东港海关", "海拉尔海关", "额尔古纳海关", "阿拉山口海关", "霍尔果斯海关", "喀什海关"];

/// Offices whose history is plain in every district (they keep the district populated on every date).
const STABLE_PER_DISTRICT: usize = 3;

/// The two moves between districts: (from prefix, to prefix, date).
const MOVES: [(&str, &str, (i32, u32, u32)); 2] = [("51", "52", (2022, 7, 1)), ("29", "31", (2023, 3, 1))];

/// The rename: (district prefix, date).
const RENAME: (&str, (i32, u32, u32)) = ("46", (2022, 9, 1));

/// splitmix64 (Steele, Lea, Flood 2014): tiny, fast and fully deterministic.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// A date in `from..=to`.
    fn date_between(&mut self, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        let span = usize::try_from((to - from).num_days().max(0)).unwrap_or(0);
        from.checked_add_days(chrono::Days::new(self.below(span + 1) as u64)).unwrap_or(from)
    }
}

fn ymd((y, m, d): (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum History {
    Plain,
    Opened,
    Closed(NaiveDate),
    Moved { to: usize, on: NaiveDate },
    Renamed { new_name: String, on: NaiveDate },
}

#[derive(Debug, Clone)]
struct Office {
    code: String,
    district: usize,
    name: String,
    valid_from: NaiveDate,
    history: History,
}

fn district_code(index: usize) -> String {
    DISTRICTS.get(index).map(|d| format!("{}00", d.prefix)).unwrap_or_default()
}

fn district_index(prefix: &str) -> Option<usize> {
    DISTRICTS.iter().position(|d| d.prefix == prefix)
}

/// The names of one district's offices, `count` of them, none already in `used`.
fn district_names(district: &District, rng: &mut SplitMix64, used: &mut BTreeSet<String>) -> Vec<String> {
    let mut names = Vec::with_capacity(district.count);
    for entry in district.places() {
        if names.len() == district.count {
            break;
        }
        let name = if entry.ends_with("海关") { entry.to_string() } else { format!("{entry}海关") };
        if used.insert(name.clone()) {
            names.push(name);
        }
    }
    let places: Vec<&str> = district.places().filter(|p| !p.ends_with("海关")).collect();
    let patterns: &[&str] = if district.port {
        &["港", "机场", "综合保税区", "邮局", "车站", "开发区"]
    } else {
        &["机场", "综合保税区", "邮局", "车站", "开发区"]
    };
    let mut attempts = 0;
    while names.len() < district.count && attempts < 10_000 && !places.is_empty() {
        attempts += 1;
        let place = places[rng.below(places.len())];
        let pattern = patterns[rng.below(patterns.len())];
        let name = format!("{place}{pattern}海关");
        if used.insert(name.clone()) {
            names.push(name);
        }
    }
    // Not reached with the lists above; keeps the count whatever the lists become.
    let mut k = 1;
    while names.len() < district.count {
        let name = format!("{}第{k}监管区海关", district.city);
        if used.insert(name.clone()) {
            names.push(name);
        }
        k += 1;
    }
    names
}

fn generate() -> Vec<Office> {
    let mut rng = SplitMix64(SEED);
    // A subordinate office never takes the name of a direct customs (石家庄海关 is the district itself).
    let mut used: BTreeSet<String> = DISTRICTS.iter().map(|d| format!("{}海关", d.city)).collect();
    let mut offices: Vec<Office> = Vec::new();
    let mut by_district: Vec<Vec<usize>> = Vec::with_capacity(DISTRICTS.len());
    for (d, district) in DISTRICTS.iter().enumerate() {
        let mut indexes = Vec::new();
        for (n, name) in district_names(district, &mut rng, &mut used).into_iter().enumerate() {
            let valid_from = if rng.below(10) < 7 {
                ymd((2000, 1, 1))
            } else {
                rng.date_between(ymd((2001, 1, 1)), ymd((2019, 12, 31)))
            };
            indexes.push(offices.len());
            offices.push(Office {
                code: format!("{}{:02}", district.prefix, n + 1),
                district: d,
                name,
                valid_from,
                history: History::Plain,
            });
        }
        by_district.push(indexes);
    }
    let eligible = |o: &Office, position: usize| {
        position >= STABLE_PER_DISTRICT && o.history == History::Plain && !REAL_NAMES.contains(&o.name.as_str())
    };

    // Openings: the newest codes of randomly chosen districts, at most a fifth of a district.
    let mut opened = 0;
    let mut attempts = 0;
    while opened < OPENED && attempts < 100_000 {
        attempts += 1;
        let d = rng.below(DISTRICTS.len());
        let indexes = &by_district[d];
        let already = indexes.iter().filter(|&&i| offices[i].history == History::Opened).count();
        if already * 5 >= indexes.len() {
            continue;
        }
        let newest = indexes.iter().enumerate().rev().find(|(p, &i)| eligible(&offices[i], *p)).map(|(_, &i)| i);
        if let Some(i) = newest {
            offices[i].history = History::Opened;
            offices[i].valid_from = rng.date_between(ymd((2022, 1, 1)), ymd((2023, 12, 31)));
            opened += 1;
        }
    }

    // Closures, in districts of at least eight offices.
    let mut closed = 0;
    let mut attempts = 0;
    while closed < CLOSED && attempts < 100_000 {
        attempts += 1;
        let d = rng.below(DISTRICTS.len());
        let indexes = &by_district[d];
        if indexes.len() < 8 {
            continue;
        }
        let p = rng.below(indexes.len());
        let i = indexes[p];
        if eligible(&offices[i], p) {
            let on = rng.date_between(ymd((2022, 1, 1)), ymd((2024, 6, 30)));
            offices[i].history = History::Closed(on);
            closed += 1;
        }
    }

    // Moves to another district (the code stays).
    for (from, to, on) in MOVES {
        let (Some(from), Some(to)) = (district_index(from), district_index(to)) else {
            continue;
        };
        let candidates: Vec<usize> =
            by_district[from].iter().enumerate().filter(|(p, &i)| eligible(&offices[i], *p)).map(|(_, &i)| i).collect();
        if candidates.is_empty() {
            continue;
        }
        let i = candidates[rng.below(candidates.len())];
        offices[i].history = History::Moved { to, on: ymd(on) };
    }

    // The rename: an 开发区 office that became a 综合保税区 office, else any office given that name.
    if let Some(d) = district_index(RENAME.0) {
        let candidates: Vec<usize> =
            by_district[d].iter().enumerate().filter(|(p, &i)| eligible(&offices[i], *p)).map(|(_, &i)| i).collect();
        let renamed = |name: &str| match name.strip_suffix("开发区海关") {
            Some(stem) => format!("{stem}综合保税区海关"),
            None => format!("{}综合保税区海关", name.trim_end_matches("海关")),
        };
        let preferred = candidates.iter().copied().find(|&i| offices[i].name.ends_with("开发区海关"));
        let choice = preferred
            .into_iter()
            .chain(candidates.iter().copied())
            .find(|&i| !used.contains(&renamed(&offices[i].name)));
        if let Some(i) = choice {
            let new_name = renamed(&offices[i].name);
            used.insert(new_name.clone());
            offices[i].history = History::Renamed { new_name, on: ymd(RENAME.1) };
        }
    }
    offices
}

/// One CSV row of the demo set.
struct DemoRow {
    code: String,
    name: String,
    parent: String,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
    note: String,
}

fn rows(offices: &[Office]) -> Vec<DemoRow> {
    let mut out = Vec::new();
    for o in offices {
        let home = district_code(o.district);
        let home_name = DISTRICTS.get(o.district).map(|d| d.city).unwrap_or_default();
        let plain_note = if REAL_NAMES.contains(&o.name.as_str()) {
            format!("{DEMO_MARKER}（名称见于公开资料，代码和日期为虚构）")
        } else {
            DEMO_MARKER.to_string()
        };
        let row = |name: &str, parent: &str, from: NaiveDate, to: Option<NaiveDate>, note: String| DemoRow {
            code: o.code.clone(),
            name: name.to_string(),
            parent: parent.to_string(),
            valid_from: from,
            valid_to: to,
            note,
        };
        match &o.history {
            History::Plain => out.push(row(&o.name, &home, o.valid_from, None, plain_note)),
            History::Opened => {
                out.push(row(&o.name, &home, o.valid_from, None, format!("{DEMO_MARKER}：{} 新设", o.valid_from)))
            }
            History::Closed(on) => {
                out.push(row(&o.name, &home, o.valid_from, Some(*on), format!("{DEMO_MARKER}：自 {on} 起撤销")))
            }
            History::Moved { to, on } => {
                let target = district_code(*to);
                let target_name = DISTRICTS.get(*to).map(|d| d.city).unwrap_or_default();
                out.push(row(
                    &o.name,
                    &home,
                    o.valid_from,
                    Some(*on),
                    format!("{DEMO_MARKER}：自 {on} 起划归{target_name}海关"),
                ));
                out.push(row(&o.name, &target, *on, None, format!("{DEMO_MARKER}：自 {on} 起由{home_name}海关划入")));
            }
            History::Renamed { new_name, on } => {
                out.push(row(
                    &o.name,
                    &home,
                    o.valid_from,
                    Some(*on),
                    format!("{DEMO_MARKER}：自 {on} 起更名为{new_name}"),
                ));
                out.push(row(new_name, &home, *on, None, format!("{DEMO_MARKER}：由{}更名", o.name)));
            }
        }
    }
    out
}

/// The demo subordinate offices in the import CSV format (UTF-8, header [`CSV_HEADER`]), sorted by code. Import
/// it on top of [`import::DIRECT_CUSTOMS_CSV`]; [`demo_offices`] does both.
pub fn demo_offices_csv() -> String {
    let mut csv = String::from(CSV_HEADER);
    csv.push('\n');
    for r in rows(&generate()) {
        let to = r.valid_to.map(|d| d.to_string()).unwrap_or_default();
        // No field holds a comma, quote or line break, so no quoting is needed.
        csv.push_str(&format!("{},{},隶属海关,{},{},{to},{}\n", r.code, r.name, r.parent, r.valid_from, r.note));
    }
    csv
}

/// The real direct customs plus the demo subordinate offices, through the same parse and plan as real data.
pub fn demo_offices() -> Result<Vec<OfficeVersion>, Vec<ImportProblem>> {
    let direct = import::direct_customs_versions()?;
    let rows = import::parse(demo_offices_csv().as_bytes(), SourceFormat::Csv)?;
    Ok(import::plan(&rows, &direct)?.versions)
}

/// Facts about the demo set, computed from the generator (not from parsing), for tests and documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    /// Distinct subordinate office codes.
    pub offices: usize,
    /// CSV data rows (a move or a rename is two rows).
    pub rows: usize,
    /// Offices whose first day falls in 2022–2023.
    pub opened_2022_2023: usize,
    /// Offices closed (their only version has a 失效日期).
    pub closed: usize,
    /// Codes of the offices that moved to another district.
    pub moved_codes: Vec<String>,
    /// Codes of the offices renamed.
    pub renamed_codes: Vec<String>,
    /// Subordinate offices in force on [`SUMMARY_DATE`] (2022-12-31).
    pub in_force_on_summary_date: usize,
    /// The same per direct customs code (`0200` → 26).
    pub per_district_on_summary_date: BTreeMap<String, usize>,
}

/// Facts about [`demo_offices_csv`].
pub fn demo_offices_summary() -> DemoSummary {
    let offices = generate();
    let demo_rows = rows(&offices);
    let date = ymd(SUMMARY_DATE);
    let mut per_district: BTreeMap<String, usize> = (0..DISTRICTS.len()).map(|d| (district_code(d), 0)).collect();
    for r in &demo_rows {
        if r.valid_from <= date && r.valid_to.is_none_or(|to| date < to) {
            *per_district.entry(r.parent.clone()).or_default() += 1;
        }
    }
    let codes_where = |f: &dyn Fn(&History) -> bool| -> Vec<String> {
        offices.iter().filter(|o| f(&o.history)).map(|o| o.code.clone()).collect()
    };
    DemoSummary {
        offices: offices.len(),
        rows: demo_rows.len(),
        opened_2022_2023: offices.iter().filter(|o| o.history == History::Opened).count(),
        closed: offices.iter().filter(|o| matches!(o.history, History::Closed(_))).count(),
        moved_codes: codes_where(&|h| matches!(h, History::Moved { .. })),
        renamed_codes: codes_where(&|h| matches!(h, History::Renamed { .. })),
        in_force_on_summary_date: per_district.values().sum(),
        per_district_on_summary_date: per_district,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::offices::{Directory, OfficeCode, OfficeKind};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_demo_set_is_the_same_on_every_call() {
        assert_eq!(demo_offices_csv(), demo_offices_csv());
        assert_eq!(demo_offices_summary(), demo_offices_summary());
    }

    #[test]
    fn the_demo_set_parses_and_plans_without_a_single_problem_on_top_of_the_direct_customs() {
        let direct = import::direct_customs_versions().unwrap();
        let rows = import::parse(demo_offices_csv().as_bytes(), SourceFormat::Csv).unwrap();
        let plan = import::plan(&rows, &direct).unwrap();
        let summary = demo_offices_summary();
        assert_eq!(rows.len(), summary.rows);
        assert_eq!(plan.added, summary.offices);
        assert_eq!(plan.changed + plan.unchanged, 0);
        assert_eq!(plan.versions.len(), direct.len() + summary.rows);
        assert_eq!(demo_offices().unwrap(), plan.versions);
    }

    #[test]
    fn about_seven_hundred_subordinate_offices_are_in_force_at_the_end_of_2022() {
        let summary = demo_offices_summary();
        assert!((650..=750).contains(&summary.in_force_on_summary_date), "{summary:?}");
        let dir = Directory::new(demo_offices().unwrap());
        let counted = dir.in_force_on(d("2022-12-31")).filter(|v| v.kind == OfficeKind::Subordinate).count();
        assert_eq!(counted, summary.in_force_on_summary_date);
        for (code, n) in &summary.per_district_on_summary_date {
            assert_eq!(dir.subordinate_count(&OfficeCode::parse(code).unwrap(), d("2022-12-31")), *n, "{code}");
        }
    }

    #[test]
    fn every_district_has_at_least_three_subordinate_offices_on_every_milestone_date() {
        let dir = Directory::new(demo_offices().unwrap());
        let districts: Vec<OfficeCode> =
            dir.versions().iter().filter(|v| v.kind == OfficeKind::DirectCustoms).map(|v| v.code.clone()).collect();
        assert_eq!(districts.len(), 42);
        for date in ["2021-12-30", "2022-04-30", "2022-08-31", "2022-12-31", "2023-12-31", "2024-12-31"] {
            for code in &districts {
                assert!(dir.subordinate_count(code, d(date)) >= 3, "{code} on {date}");
            }
        }
    }

    #[test]
    fn district_sizes_are_plausible() {
        let summary = demo_offices_summary();
        let n = |code: &str| summary.per_district_on_summary_date[code];
        for big in ["5100", "5300", "5200", "2200", "3100", "4200", "0200", "2300", "2900"] {
            assert!((25..=40).contains(&n(big)), "{big}: {}", n(big));
        }
        for small in ["8800", "9600", "9900"] {
            assert!((4..=8).contains(&n(small)), "{small}: {}", n(small));
        }
    }

    #[test]
    fn the_history_has_openings_closures_two_moves_and_one_rename() {
        let summary = demo_offices_summary();
        assert_eq!(summary.opened_2022_2023, OPENED);
        assert_eq!(summary.closed, CLOSED);
        assert_eq!(summary.moved_codes.len(), 2);
        assert_eq!(summary.renamed_codes.len(), 1);
        let versions = demo_offices().unwrap();
        for code in &summary.moved_codes {
            let rows: Vec<&OfficeVersion> = versions.iter().filter(|v| v.code.as_str() == code).collect();
            assert_eq!(rows.len(), 2);
            assert_ne!(rows[0].parent, rows[1].parent, "a move changes the district");
            assert_eq!(rows[0].valid_to, Some(rows[1].valid_from), "consecutive ranges");
            assert_eq!(rows[0].name, rows[1].name);
        }
        for code in &summary.renamed_codes {
            let rows: Vec<&OfficeVersion> = versions.iter().filter(|v| v.code.as_str() == code).collect();
            assert_eq!(rows.len(), 2);
            assert_eq!(rows[0].parent, rows[1].parent, "a rename keeps the district");
            assert_eq!(rows[0].valid_to, Some(rows[1].valid_from));
            assert_ne!(rows[0].name, rows[1].name);
        }
        let opened = versions
            .iter()
            .filter(|v| {
                v.kind == OfficeKind::Subordinate && v.valid_from >= d("2022-01-01") && v.valid_from <= d("2023-12-31")
            })
            .filter(|v| v.note.contains("新设"))
            .count();
        assert_eq!(opened, OPENED);
    }

    #[test]
    fn every_demo_row_says_it_is_sample_data_and_codes_sit_under_their_first_district() {
        let csv = demo_offices_csv();
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some(CSV_HEADER));
        for line in lines {
            let fields: Vec<&str> = line.split(',').collect();
            assert_eq!(fields.len(), 7, "{line}");
            assert!(fields[6].starts_with(DEMO_MARKER), "{line}");
            assert_eq!(fields[2], "隶属海关");
        }
        let versions = demo_offices().unwrap();
        let summary = demo_offices_summary();
        for v in versions.iter().filter(|v| v.kind == OfficeKind::Subordinate) {
            let parent = v.parent.as_ref().unwrap();
            if !summary.moved_codes.contains(&v.code.to_string()) {
                assert_eq!(v.code.district_prefix(), parent.district_prefix(), "{v:?}");
            }
        }
        for name in REAL_NAMES {
            assert!(csv.contains(&format!(",{name},")), "{name}");
        }
        assert!(csv.contains("0201,新港海关,隶属海关,0200,"));
    }

    #[test]
    fn names_are_distinct_among_the_offices_in_force_on_any_date() {
        let dir = Directory::new(demo_offices().unwrap());
        for date in ["2020-01-01", "2022-12-31", "2024-12-31"] {
            let mut seen = BTreeSet::new();
            for v in dir.in_force_on(d(date)) {
                assert!(seen.insert(v.name.clone()), "{} on {date}", v.name);
            }
        }
    }
}
