//! The real server on port 0 with a temporary SQLite database, called over HTTP: the JSON API v1, its OpenAPI
//! description, the server-rendered pages and the language switch.

use std::collections::{BTreeMap, BTreeSet};

use analytics::offices::demo::{demo_offices, demo_offices_summary};
use analytics::offices::OfficeKind;
use chrono::NaiveDate;
use gongkai_tests::TestServer;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A GET as a signed-in HQ viewer (an API token sent as a bearer header): every page and endpoint is readable.
async fn get(server: &TestServer, path: &str) -> reqwest::Response {
    let token = server.hq_viewer_token().await;
    reqwest::Client::new()
        .get(server.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

async fn get_json(server: &TestServer, path: &str) -> (StatusCode, Value) {
    let response = get(server, path).await;
    let status = response.status();
    let content_type = response.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert!(content_type.starts_with("application/json"), "GET {path}: content type {content_type:?}");
    let body = response.json::<Value>().await.unwrap_or_else(|e| panic!("GET {path}: body is not JSON: {e}"));
    (status, body)
}

async fn get_html(server: &TestServer, path: &str, cookie: Option<&str>) -> (StatusCode, String) {
    let token = server.hq_viewer_token().await;
    let mut request = reqwest::Client::new().get(server.url(path)).bearer_auth(token);
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    let response = request.send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let status = response.status();
    let content_type = response.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert!(content_type.starts_with("text/html"), "GET {path}: content type {content_type:?}");
    (status, response.text().await.expect("body"))
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

/// All items of a catalog response, in order.
fn items(catalog: &Value) -> Vec<&Value> {
    catalog["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .flat_map(|g| g["items"].as_array().expect("items").iter())
        .collect()
}

fn item(catalog: &Value, number: u64) -> &Value {
    items(catalog).into_iter().find(|i| i["number"] == number).unwrap_or_else(|| panic!("item {number}"))
}

/// The direct customs nodes of an offices response (children of the one root, 海关总署).
fn districts(offices: &Value) -> &Vec<Value> {
    offices["roots"][0]["children"].as_array().expect("children of the root")
}

fn has_code(nodes: &[Value], code: &str) -> bool {
    nodes.iter().any(|n| n["code"] == code || has_code(n["children"].as_array().expect("children"), code))
}

// ------------------------------------------------------------------------------------------------------------
// Health

#[tokio::test]
async fn the_health_check_answers_ok_and_counts_the_stored_office_versions() {
    let server = TestServer::start().await;
    let (status, body) = get_json(&server, "/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "ok");
    let versions = body["office_versions"].as_u64().expect("office_versions is a number");
    // 海关总署 + 42 direct customs + the demo rows, all loaded on start.
    let expected = 1 + 42 + demo_offices_summary().rows as u64;
    assert_eq!(versions, expected, "{body}");
    assert_eq!(versions as usize, demo_offices().expect("demo set").len());
    server.stop().await;
}

#[tokio::test]
async fn a_server_without_the_demo_set_holds_only_headquarters_and_the_42_direct_customs() {
    let server = TestServer::start_with(false).await;
    let (_, health) = get_json(&server, "/health").await;
    assert_eq!(health["office_versions"], 43);
    let (status, offices) = get_json(&server, "/api/v1/offices?as_of=2022-12-31").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(offices["direct_customs"], 42);
    assert_eq!(offices["subordinates"], 0);
    let (_, html) = get_html(&server, "/offices", None).await;
    assert!(!html.contains("示例数据"), "no demo banner without the demo set");
    server.stop().await;
}

// ------------------------------------------------------------------------------------------------------------
// Catalog

#[tokio::test]
async fn the_catalog_api_reproduces_the_notice_item_by_item() {
    let server = TestServer::start().await;
    let (status, catalog) = get_json(&server, "/api/v1/catalog").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(catalog["code"], "std-2021-23");
    assert_eq!(catalog["document_number"], "署办发〔2021〕23号");
    assert_eq!(catalog["issued_on"], "2021-12-30");
    assert_eq!(catalog["issuer"], "海关总署办公厅");

    let groups = catalog["groups"].as_array().expect("groups");
    assert_eq!(groups.len(), 7);
    let group_names: Vec<&str> = groups.iter().map(|g| g["name"].as_str().expect("name")).collect();
    assert_eq!(group_names, ["机构信息", "政策法规", "政务服务", "行政执法信息", "财务信息", "互动交流", "综合管理"]);
    let numbers: Vec<u64> = items(&catalog).iter().map(|i| i["number"].as_u64().expect("number")).collect();
    assert_eq!(numbers, (1..=25).collect::<Vec<u64>>());
    assert_eq!(item(&catalog, 1)["name"], "机构职能");
    assert_eq!(item(&catalog, 25)["name"], "意见征集");

    // Item 3: channel H recommended, naming 海关总署网站; the other seven channels are there too, in order.
    let channels = item(&catalog, 3)["channels"].as_array().expect("channels");
    let codes: Vec<&str> = channels.iter().map(|c| c["code"].as_str().expect("code")).collect();
    assert_eq!(codes, ["A", "B", "C", "D", "E", "F", "G", "H"]);
    let recommended: Vec<bool> = channels.iter().map(|c| c["recommended"].as_bool().expect("flag")).collect();
    assert_eq!(recommended, [true, false, true, true, true, false, false, true]);
    assert_eq!(channels[7]["detail"], "海关总署网站");
    assert!(channels[..7].iter().all(|c| c.get("detail").is_none()), "only H names a form: {channels:?}");

    assert_eq!(item(&catalog, 9)["modes"], json!(["proactive", "on_request"]));
    assert_eq!(item(&catalog, 8)["modes"], json!(["proactive"]));

    let item24 = item(&catalog, 24);
    let elements = item24["elements"].as_array().expect("elements");
    assert_eq!(elements.len(), 2);
    assert_eq!(elements[0]["time_limit"], json!({ "kind": "working_days_after_change", "days": 3 }));
    assert_eq!(elements[0]["time_limit_text"], "自信息形成或者变更之日起3个工作日内");
    assert_eq!(elements[1]["time_limit"], json!({ "kind": "annual_by", "month": 1, "day": 31 }));
    assert_eq!(elements[1]["time_limit_text"], "每年1月31日前");

    assert_eq!(item(&catalog, 14)["time_limit"], json!({ "kind": "calendar_days_after_approval", "days": 20 }));

    let item19 = &item(&catalog, 19)["elements"];
    assert_eq!(item19[0]["ordinal"], 1);
    assert_eq!(item19[0]["text"]["text"], "");
    assert_eq!(item19[0]["text"]["gap"]["position"], "whole");
    assert!(item19[0]["text"]["gap"]["explanation"].as_str().expect("explanation").contains("原件"));
    assert_eq!(item19[1]["text"], json!({ "text": "走私违规举报渠道" }));
    assert_eq!(item19[4]["text"]["gap"]["position"], "end");

    let bases = catalog["bases"].as_array().expect("bases");
    assert_eq!(bases.len(), 11);
    assert_eq!(bases[0], json!({ "number": 1, "symbol": "①", "title": "《中华人民共和国政府信息公开条例》" }));
    assert_eq!(bases[10]["symbol"], "⑪");
    let remark_labels: Vec<&str> =
        catalog["remarks"].as_array().expect("remarks").iter().map(|r| r["label"].as_str().expect("label")).collect();
    assert_eq!(remark_labels, ["备注2", "备注3"]);
    server.stop().await;
}

#[tokio::test]
async fn the_catalog_api_returns_exactly_the_bundled_catalog_after_the_round_trip_through_the_database() {
    let server = TestServer::start().await;
    let (status, catalog) = get_json(&server, "/api/v1/catalog").await;
    assert_eq!(status, StatusCode::OK);
    let bundled = serde_json::to_value(analytics::catalog::standard_catalog().expect("bundled catalog")).expect("json");
    if catalog != bundled {
        // Point at the first item that differs, so a failure is readable.
        for (a, b) in items(&catalog).iter().zip(items(&bundled).iter()) {
            assert_eq!(a, b, "item {} differs after the round trip", b["number"]);
        }
        panic!("the catalog differs outside the items:\nAPI:     {catalog}\nbundled: {bundled}");
    }
    // The typed value reads back too.
    let typed: analytics::catalog::Catalog = serde_json::from_value(catalog).expect("the API answer is a Catalog");
    assert_eq!(typed, analytics::catalog::standard_catalog().expect("bundled catalog"));
    server.stop().await;
}

// ------------------------------------------------------------------------------------------------------------
// Offices

#[tokio::test]
async fn the_offices_api_counts_42_direct_customs_and_the_demo_subordinates_at_the_end_of_2022() {
    let server = TestServer::start().await;
    let (status, offices) = get_json(&server, "/api/v1/offices?as_of=2022-12-31").await;
    assert_eq!(status, StatusCode::OK);
    let summary = demo_offices_summary();
    assert_eq!(offices["as_of"], "2022-12-31");
    assert_eq!(offices["direct_customs"], 42);
    assert_eq!(offices["subordinates"].as_u64(), Some(summary.in_force_on_summary_date as u64));

    let roots = offices["roots"].as_array().expect("roots");
    assert_eq!(roots.len(), 1, "one root: {:?}", roots.iter().map(|r| &r["code"]).collect::<Vec<_>>());
    assert_eq!(roots[0]["code"], "0000");
    assert_eq!(roots[0]["name"], "海关总署");
    assert_eq!(roots[0]["kind"], "headquarters");
    assert_eq!(roots[0]["subordinate_count"].as_u64(), Some(summary.in_force_on_summary_date as u64));

    let districts = districts(&offices);
    assert_eq!(districts.len(), 42);
    assert!(districts.iter().all(|d| d["kind"] == "direct_customs"));
    let tianjin = districts.iter().find(|d| d["code"] == "0200").expect("天津海关");
    assert_eq!(tianjin["name"], "天津海关");
    // Every district as the demo generator counts it.
    let per_district: BTreeMap<String, u64> = districts
        .iter()
        .map(|d| (d["code"].as_str().expect("code").to_string(), d["subordinate_count"].as_u64().expect("count")))
        .collect();
    let expected: BTreeMap<String, u64> =
        summary.per_district_on_summary_date.iter().map(|(code, n)| (code.clone(), *n as u64)).collect();
    assert_eq!(per_district, expected);
    server.stop().await;
}

#[tokio::test]
async fn an_office_opened_in_2023_is_absent_the_day_before_it_opened_and_present_from_its_first_day() {
    // Pick, from the demo data itself, a subordinate office whose first version starts in 2023.
    let versions = demo_offices().expect("demo set");
    let mut first_day: BTreeMap<&str, NaiveDate> = BTreeMap::new();
    for v in versions.iter().filter(|v| v.kind == OfficeKind::Subordinate) {
        let entry = first_day.entry(v.code.as_str()).or_insert(v.valid_from);
        *entry = (*entry).min(v.valid_from);
    }
    let (code, opened) = first_day
        .iter()
        .find(|(_, d)| *d >= &date("2023-01-02") && *d <= &date("2023-12-31"))
        .map(|(c, d)| (c.to_string(), *d))
        .expect("the demo set opens offices in 2023");
    let day_before = opened.pred_opt().expect("date");

    let server = TestServer::start().await;
    let (status, before) = get_json(&server, &format!("/api/v1/offices?as_of={day_before}")).await;
    assert_eq!(status, StatusCode::OK);
    let (_, on) = get_json(&server, &format!("/api/v1/offices?as_of={opened}")).await;
    assert!(!has_code(before["roots"].as_array().expect("roots"), &code), "{code} is listed before {opened}");
    assert!(has_code(on["roots"].as_array().expect("roots"), &code), "{code} is missing on {opened}");
    let node = districts(&on)
        .iter()
        .flat_map(|d| d["children"].as_array().expect("children"))
        .find(|n| n["code"] == code.as_str())
        .expect("the new office under its district");
    assert_eq!(node["opened_on"], opened.to_string());
    assert_eq!(node["since"], opened.to_string());
    assert_eq!(node["kind"], "subordinate");
    // The national count follows, unless another office closed on the same day.
    let delta = on["subordinates"].as_i64().expect("n") - before["subordinates"].as_i64().expect("n");
    let expected_delta = {
        let in_force = |d: NaiveDate| {
            versions.iter().filter(|v| v.kind == OfficeKind::Subordinate && v.in_force_on(d)).count() as i64
        };
        in_force(opened) - in_force(day_before)
    };
    assert_eq!(delta, expected_delta);
    assert!(delta >= 1 || versions.iter().any(|v| v.valid_to == Some(opened)));
    server.stop().await;
}

#[tokio::test]
async fn the_subordinate_counts_of_the_districts_add_up_to_the_national_count_on_every_date() {
    let server = TestServer::start().await;
    for as_of in ["2021-12-30", "2022-08-31", "2022-12-31", "2023-03-01", "2023-12-31"] {
        let (status, offices) = get_json(&server, &format!("/api/v1/offices?as_of={as_of}")).await;
        assert_eq!(status, StatusCode::OK, "{as_of}");
        let districts = districts(&offices);
        let sum: u64 = districts.iter().map(|d| d["subordinate_count"].as_u64().expect("count")).sum();
        assert_eq!(Some(sum), offices["subordinates"].as_u64(), "{as_of}");
        assert_eq!(Some(sum), offices["roots"][0]["subordinate_count"].as_u64(), "{as_of}");
        for d in districts {
            let children = d["children"].as_array().expect("children");
            assert_eq!(d["subordinate_count"].as_u64(), Some(children.len() as u64), "{as_of} {}", d["code"]);
            assert!(children.iter().all(|c| c["kind"] == "subordinate"));
            let codes: Vec<&str> = children.iter().map(|c| c["code"].as_str().expect("code")).collect();
            let mut sorted = codes.clone();
            sorted.sort();
            assert_eq!(codes, sorted, "children sorted by code");
        }
    }
    server.stop().await;
}

#[tokio::test]
async fn a_malformed_date_is_refused_with_a_400_that_names_the_field_in_chinese() {
    let server = TestServer::start().await;
    let (status, body) = get_json(&server, "/api/v1/offices?as_of=2022-13-45").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "bad_request");
    assert_eq!(body["error"]["field"], "as_of");
    let message = body["error"]["message"].as_str().expect("message");
    assert!(message.contains("日期") && message.contains("2022-13-45"), "{message}");
    assert!(message.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "Chinese message: {message}");
    server.stop().await;
}

#[tokio::test]
async fn an_unknown_api_path_is_a_json_404() {
    let server = TestServer::start().await;
    let (status, body) = get_json(&server, "/api/v1/nothing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
    assert!(body["error"]["message"].as_str().expect("message").contains("接口不存在"), "{body}");
    server.stop().await;
}

// ------------------------------------------------------------------------------------------------------------
// OpenAPI

#[tokio::test]
async fn the_openapi_document_is_version_3_1_and_lists_every_path_the_server_answers() {
    let server = TestServer::start().await;
    let (status, doc) = get_json(&server, "/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().expect("openapi").starts_with("3.1"), "{}", doc["openapi"]);
    let paths: BTreeSet<&str> = doc["paths"].as_object().expect("paths").keys().map(String::as_str).collect();
    for path in ["/api/v1/catalog", "/api/v1/offices", "/api/v1/openapi.json", "/health"] {
        assert!(paths.contains(path), "{path} is not described: {paths:?}");
    }
    // Every described path answers 200 on the real server, called with the examples of its parameters.
    for path in &paths {
        let url = example_url(&doc, path);
        let response = get(&server, &url).await;
        assert_eq!(response.status(), StatusCode::OK, "{url}");
    }
    // The document served is the one the code builds.
    assert_eq!(doc, server::api::openapi_document());
    server.stop().await;
}

/// The path with its path parameters and required query parameters filled from their `example`s.
fn example_url(doc: &Value, path: &str) -> String {
    let mut url = path.to_string();
    let mut query = Vec::new();
    for parameter in doc["paths"][path]["get"]["parameters"].as_array().into_iter().flatten() {
        let name = parameter["name"].as_str().expect("parameter name");
        let example =
            parameter["example"].as_str().unwrap_or_else(|| panic!("{path}: parameter {name} has no example"));
        match parameter["in"].as_str() {
            Some("path") => url = url.replace(&format!("{{{name}}}"), example),
            Some("query") if parameter["required"] == true => query.push(format!("{name}={example}")),
            _ => {}
        }
    }
    if !query.is_empty() {
        url = format!("{url}?{}", query.join("&"));
    }
    url
}

/// Walks a JSON value against an OpenAPI schema, following `$ref`s into `components/schemas`. Objects must carry
/// every `required` property and nothing that `properties` does not declare.
struct SchemaWalk<'a> {
    doc: &'a Value,
    /// Per named schema: the properties seen in real values.
    seen: BTreeMap<String, BTreeSet<String>>,
    errors: Vec<String>,
}

impl<'a> SchemaWalk<'a> {
    fn new(doc: &'a Value) -> Self {
        Self { doc, seen: BTreeMap::new(), errors: Vec::new() }
    }

    fn check(&mut self, schema: &Value, value: &Value, path: &str, owner: Option<&str>) {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let name = reference.strip_prefix("#/components/schemas/").expect("local reference");
            let target = &self.doc["components"]["schemas"][name];
            if target.is_null() {
                self.errors.push(format!("{path}: {reference} does not exist"));
                return;
            }
            self.seen.entry(name.to_string()).or_default();
            self.check(target, value, path, Some(name));
            return;
        }
        if let Some(branches) = schema.get("oneOf").and_then(Value::as_array) {
            let mut matched = Vec::new();
            for branch in branches {
                let mut walk = SchemaWalk::new(self.doc);
                walk.check(branch, value, path, owner);
                if walk.errors.is_empty() {
                    matched.push(walk.seen);
                }
            }
            match matched.len() {
                1 => {
                    for (name, props) in matched.remove(0) {
                        self.seen.entry(name).or_default().extend(props);
                    }
                }
                n => self.errors.push(format!("{path}: {value} matches {n} branches of oneOf, not exactly one")),
            }
            return;
        }
        if let Some(constant) = schema.get("const") {
            if value != constant {
                self.errors.push(format!("{path}: {value} is not the constant {constant}"));
            }
            return;
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
            if !allowed.contains(value) {
                self.errors.push(format!("{path}: {value} is not one of {allowed:?}"));
            }
        }
        let Some(kind) = schema.get("type").and_then(Value::as_str) else {
            self.errors.push(format!("{path}: the schema {schema} has no type"));
            return;
        };
        match kind {
            "object" => {
                let Some(object) = value.as_object() else {
                    self.errors.push(format!("{path}: expected an object, got {value}"));
                    return;
                };
                for required in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
                    let name = required.as_str().expect("property name");
                    if !object.contains_key(name) {
                        self.errors.push(format!("{path}: required property `{name}` is missing"));
                    }
                }
                let declared = schema.get("properties").and_then(Value::as_object);
                for (name, property_value) in object {
                    match declared.and_then(|d| d.get(name)) {
                        Some(property_schema) => {
                            if let Some(owner) = owner {
                                self.seen.entry(owner.to_string()).or_default().insert(name.clone());
                            }
                            self.check(property_schema, property_value, &format!("{path}.{name}"), None);
                        }
                        None => self.errors.push(format!("{path}: property `{name}` is not declared by the schema")),
                    }
                }
            }
            "array" => {
                let Some(array) = value.as_array() else {
                    self.errors.push(format!("{path}: expected an array, got {value}"));
                    return;
                };
                let items = &schema["items"];
                for (i, element) in array.iter().enumerate() {
                    self.check(items, element, &format!("{path}[{i}]"), None);
                }
            }
            "string" => {
                let Some(text) = value.as_str() else {
                    self.errors.push(format!("{path}: expected a string, got {value}"));
                    return;
                };
                if schema.get("format").and_then(Value::as_str) == Some("date")
                    && NaiveDate::parse_from_str(text, "%Y-%m-%d").is_err()
                {
                    self.errors.push(format!("{path}: “{text}” is not a date"));
                }
                // The only pattern the document uses; any other one must be taught to this test first.
                let matches = match schema.get("pattern").and_then(Value::as_str) {
                    None => true,
                    Some("^[0-9]{4}$") => text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()),
                    Some(other) => {
                        self.errors.push(format!("{path}: pattern {other} is not known to this test"));
                        true
                    }
                };
                if !matches {
                    self.errors.push(format!("{path}: “{text}” does not match {}", schema["pattern"]));
                }
            }
            "integer" => match value.as_i64() {
                None => self.errors.push(format!("{path}: expected an integer, got {value}")),
                Some(n) => {
                    if let Some(minimum) = schema.get("minimum").and_then(Value::as_i64) {
                        if n < minimum {
                            self.errors.push(format!("{path}: {n} is below the minimum {minimum}"));
                        }
                    }
                }
            },
            "boolean" => {
                if !value.is_boolean() {
                    self.errors.push(format!("{path}: expected a boolean, got {value}"));
                }
            }
            "null" => {
                if !value.is_null() {
                    self.errors.push(format!("{path}: expected null, got {value}"));
                }
            }
            other => self.errors.push(format!("{path}: type {other} is not known to this test")),
        }
    }
}

#[test]
fn the_schema_walk_itself_catches_missing_undeclared_and_wrong_values() {
    let doc = server::api::openapi_document();
    let mut walk = SchemaWalk::new(&doc);
    let channel = json!({ "$ref": "#/components/schemas/Channel" });
    walk.check(
        &channel,
        &json!({ "code": "H", "name": "其他", "recommended": true, "detail": "海关总署网站" }),
        "good",
        None,
    );
    assert!(walk.errors.is_empty(), "{:?}", walk.errors);
    walk.check(&channel, &json!({ "code": "H", "recommended": true, "colour": "red" }), "channel", None);
    walk.check(
        &json!({ "$ref": "#/components/schemas/TimeLimitRule" }),
        &json!({ "kind": "weekly", "days": 3 }),
        "rule",
        None,
    );
    walk.check(
        &json!({ "$ref": "#/components/schemas/Basis" }),
        &json!({ "number": 0, "symbol": "①", "title": 1 }),
        "basis",
        None,
    );
    let errors = walk.errors.join("\n");
    assert_eq!(walk.errors.len(), 5, "{errors}");
    for expected in [
        "channel: required property `name` is missing",
        "channel: property `colour` is not declared",
        "rule: {\"days\":3,\"kind\":\"weekly\"} matches 0 branches",
        "basis.number: 0 is below the minimum 1",
        "basis.title: expected a string",
    ] {
        assert!(errors.contains(expected), "{expected} not in\n{errors}");
    }
}

fn response_schema<'a>(doc: &'a Value, path: &str, status: &str) -> &'a Value {
    let schema = &doc["paths"][path]["get"]["responses"][status]["content"]["application/json"]["schema"];
    assert!(!schema.is_null(), "no JSON schema for {path} {status}");
    schema
}

#[tokio::test]
async fn the_openapi_schemas_describe_the_real_responses_field_for_field() {
    let server = TestServer::start().await;
    let (_, doc) = get_json(&server, "/api/v1/openapi.json").await;
    let mut walk = SchemaWalk::new(&doc);

    let (_, catalog) = get_json(&server, "/api/v1/catalog").await;
    walk.check(response_schema(&doc, "/api/v1/catalog", "200"), &catalog, "catalog", None);
    for as_of in ["2022-12-31", "2023-06-30"] {
        let (_, offices) = get_json(&server, &format!("/api/v1/offices?as_of={as_of}")).await;
        walk.check(response_schema(&doc, "/api/v1/offices", "200"), &offices, &format!("offices({as_of})"), None);
    }
    let (_, health) = get_json(&server, "/health").await;
    walk.check(response_schema(&doc, "/health", "200"), &health, "health", None);
    let (status, bad) = get_json(&server, "/api/v1/offices?as_of=31.12.2022").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    walk.check(response_schema(&doc, "/api/v1/offices", "400"), &bad, "offices(400)", None);
    let (status, missing) = get_json(&server, "/api/v1/nothing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    walk.check(&json!({ "$ref": "#/components/schemas/Error" }), &missing, "nothing(404)", None);

    let (_, deadline) = get_json(&server, "/api/v1/calendar/deadline?start=2024-09-27&working_days=7").await;
    walk.check(response_schema(&doc, "/api/v1/calendar/deadline", "200"), &deadline, "deadline", None);
    for day in ["2024-10-12", "2024-10-08"] {
        let (_, info) = get_json(&server, &format!("/api/v1/calendar/days/{day}")).await;
        walk.check(response_schema(&doc, "/api/v1/calendar/days/{date}", "200"), &info, &format!("day({day})"), None);
    }
    let (status, unknown) = get_json(&server, "/api/v1/calendar/days/2031-01-02").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    walk.check(response_schema(&doc, "/api/v1/calendar/days/{date}", "422"), &unknown, "day(422)", None);
    let (status, malformed) = get_json(&server, "/api/v1/calendar/deadline?start=2024-09-27&working_days=x").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    walk.check(response_schema(&doc, "/api/v1/calendar/deadline", "400"), &malformed, "deadline(400)", None);

    assert!(walk.errors.is_empty(), "the responses drift from the OpenAPI schemas:\n{}", walk.errors.join("\n"));

    // Every property each schema declares is really produced somewhere (no dead description either).
    for name in [
        "Catalog",
        "Group",
        "Item",
        "Element",
        "TextGap",
        "Basis",
        "Channel",
        "Offices",
        "OfficeNode",
        "Health",
        "Error",
        "Deadline",
        "Day",
    ] {
        let declared: BTreeSet<String> = doc["components"]["schemas"][name]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("schema {name}"))
            .keys()
            .cloned()
            .collect();
        let seen = walk.seen.get(name).unwrap_or_else(|| panic!("schema {name} was never used by a response"));
        let never: Vec<&String> = declared.difference(seen).collect();
        assert!(never.is_empty(), "{name} declares {never:?}, which no real response carries");
    }
    server.stop().await;
}

// ------------------------------------------------------------------------------------------------------------
// Pages without JavaScript

#[tokio::test]
async fn the_overview_page_renders_on_the_server() {
    let server = TestServer::start().await;
    let (status, html) = get_html(&server, "/", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"lang="zh-CN""#));
    assert!(html.contains("全国概览"));
    assert!(html.contains("各直属海关推进进度"));
    assert!(html.contains("天津海关"));
    assert!(html.contains("示例数据"));
    server.stop().await;
}

#[tokio::test]
async fn the_catalog_page_renders_every_item_on_the_server() {
    let server = TestServer::start().await;
    let (status, html) = get_html(&server, "/catalog", None).await;
    assert_eq!(status, StatusCode::OK);
    for text in
        ["标准目录", "机构职能", "意见征集", "海关总署网站", "〔原文缺失〕", "《中华人民共和国政府信息公开条例》"]
    {
        assert!(html.contains(text), "the catalog page lacks {text}");
    }
    for n in 1..=25 {
        assert!(html.contains(&format!(r#"id="item-{n}""#)), "row of item {n} is missing");
    }
    assert!(!html.contains(r#"id="item-26""#));
    assert!(!html.contains(r#"id="item-0""#));
    server.stop().await;
}

/// The part of the directory page after the search form: the list of districts and offices.
fn directory_list(html: &str) -> &str {
    let start = html.find(r#"class="directory""#).expect("the directory list");
    &html[start..]
}

#[tokio::test]
async fn the_directory_page_lists_the_districts_and_marks_the_sample_data() {
    let server = TestServer::start().await;
    let (status, html) = get_html(&server, "/offices", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("示例数据"), "the demo banner");
    let list = directory_list(&html);
    for name in ["天津海关", "上海海关", "乌鲁木齐海关", "新港海关"] {
        assert!(list.contains(name), "the directory lacks {name}");
    }
    assert!(list.contains(r#"href="/offices/0200""#));

    let (status, html) = get_html(&server, "/offices?as_of=2022-12-31", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("2022年12月31日"));
    let subordinates = demo_offices_summary().in_force_on_summary_date;
    assert!(html.contains(&format!(">{subordinates}<")), "the count {subordinates} of subordinate offices");
    server.stop().await;
}

#[tokio::test]
async fn a_search_in_the_directory_keeps_only_the_matching_offices() {
    let server = TestServer::start().await;
    let (status, html) = get_html(&server, "/offices?q=%E6%96%B0%E6%B8%AF", None).await;
    assert_eq!(status, StatusCode::OK);
    let list = directory_list(&html);
    assert!(list.contains("新港海关"));
    assert!(list.contains("天津海关"), "the path to the match stays");
    assert!(!list.contains("上海海关"), "other districts are filtered out");
    assert!(!list.contains("东港海关"), "siblings of the match are filtered out");
    assert!(html.contains(r#"value="新港""#), "the form keeps the query");

    let (status, html) = get_html(&server, "/offices?q=%E4%B8%8D%E5%AD%98%E5%9C%A8%E7%9A%84", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("没有符合条件的机构"));
    server.stop().await;
}

#[tokio::test]
async fn an_office_page_shows_the_office_its_history_and_its_offices() {
    let server = TestServer::start().await;
    let (status, html) = get_html(&server, "/offices/0200", None).await;
    assert_eq!(status, StatusCode::OK);
    for text in ["天津海关", "直属海关", "沿革", "新港海关", "海关总署"] {
        assert!(html.contains(text), "the office page lacks {text}");
    }
    server.stop().await;
}

#[tokio::test]
async fn an_unknown_office_is_a_404_page_with_a_chinese_message() {
    let server = TestServer::start().await;
    let (status, html) = get_html(&server, "/offices/9999", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("未找到代码为 9999 的机构"), "{html}");
    let (status, html) = get_html(&server, "/offices/abc", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("机构代码“abc”应为4位数字"));
    server.stop().await;
}

#[tokio::test]
async fn an_unknown_page_is_a_404() {
    let server = TestServer::start().await;
    let (status, html) = get_html(&server, "/no/such/page", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("页面不存在"));
    server.stop().await;
}

// ------------------------------------------------------------------------------------------------------------
// Language

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

#[tokio::test]
async fn the_language_switch_remembers_english_in_a_cookie_and_returns_to_the_page() {
    let server = TestServer::start().await;
    let response = no_redirects().get(server.url("/lang/en?next=/catalog")).send().await.expect("switch");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], "/catalog");
    let set_cookie = response.headers()[SET_COOKIE].to_str().expect("cookie").to_string();
    assert!(set_cookie.starts_with("gongkai_lang=en;"), "{set_cookie}");
    assert!(set_cookie.contains("Path=/"), "{set_cookie}");
    let cookie = set_cookie.split(';').next().expect("name=value");

    let (status, html) = get_html(&server, "/catalog", Some(cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"lang="en""#));
    assert!(html.contains("Standard catalog"));
    assert!(html.contains("[text lost]"));
    assert!(!html.contains("〔原文缺失〕"), "labels are English; only the notice's own text stays Chinese");
    assert!(html.contains("机构职能"), "catalog text itself is never translated");

    let (_, html) = get_html(&server, "/catalog", Some("gongkai_lang=zh")).await;
    assert!(html.contains(r#"lang="zh-CN""#));
    assert!(html.contains("〔原文缺失〕"));
    server.stop().await;
}

#[tokio::test]
async fn the_language_switch_only_returns_to_local_paths() {
    let server = TestServer::start().await;
    let client = no_redirects();
    for next in ["//evil.example", "https://evil.example/", "/\\evil.example", "evil", ""] {
        let response = client.get(server.url("/lang/zh")).query(&[("next", next)]).send().await.expect("switch");
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{next}");
        assert_eq!(response.headers()[LOCATION], "/", "next={next}");
        assert!(response.headers()[SET_COOKIE].to_str().expect("cookie").starts_with("gongkai_lang=zh;"));
    }
    let response = client.get(server.url("/lang/en")).send().await.expect("switch");
    assert_eq!(response.headers()[LOCATION], "/", "no next: the overview");
    server.stop().await;
}

#[tokio::test]
async fn an_unknown_language_is_a_404_and_sets_no_cookie() {
    let server = TestServer::start().await;
    let response = no_redirects().get(server.url("/lang/fr?next=/catalog")).send().await.expect("switch");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response.headers().get(SET_COOKIE).is_none());
    let body: Value = response.json().await.expect("JSON error");
    assert_eq!(body["error"]["code"], "not_found");
    assert!(body["error"]["message"].as_str().expect("message").contains("不支持的语言"));
    server.stop().await;
}

#[tokio::test]
async fn the_language_link_of_a_search_page_returns_to_the_same_search() {
    let server = TestServer::start().await;
    let search = "/offices?as_of=2022-12-31&q=%E6%96%B0%E6%B8%AF";
    let (_, html) = get_html(&server, search, None).await;
    let start = html.find(r#"href="/lang/en?next="#).expect("the English link") + r#"href=""#.len();
    let href = html[start..].split('"').next().expect("href").replace("&amp;", "&");
    let response = no_redirects().get(server.url(&href)).send().await.expect("switch");
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{href}");
    let location = response.headers()[LOCATION].to_str().expect("location").to_string();
    assert!(location.starts_with("/offices?"), "{href} -> {location}");

    let (status, html) = get_html(&server, &location, Some("gongkai_lang=en")).await;
    assert_eq!(status, StatusCode::OK);
    let list = directory_list(&html);
    assert!(list.contains("新港海关") && !list.contains("上海海关"), "the search survives the switch: {location}");
    assert!(html.contains("31 Dec 2022"), "the date survives the switch: {location}");
    server.stop().await;
}

/// Browsers drop tabs and line breaks from a URL before resolving it (WHATWG URL parser), so `/<TAB>/host` becomes
/// `//host`, a link to another site.
#[tokio::test]

async fn the_language_switch_refuses_a_next_that_a_browser_would_read_as_another_site() {
    let server = TestServer::start().await;
    for next in ["/\t/evil.example", "/\t\\evil.example"] {
        let response =
            no_redirects().get(server.url("/lang/en")).query(&[("next", next)]).send().await.expect("switch");
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let location = response.headers()[LOCATION].to_str().expect("location").to_string();
        let as_browser_reads_it: String = location.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
        assert!(!as_browser_reads_it.starts_with("//"), "next={next:?} redirects to {location:?}");
    }
    server.stop().await;
}

#[tokio::test]
async fn the_calendar_api_counts_working_days_across_make_up_saturdays_and_refuses_unknown_years() {
    let server = TestServer::start_with(false).await;
    let (status, body) = get_json(&server, "/api/v1/calendar/deadline?start=2024-09-27&working_days=7").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["deadline"], "2024-10-12", "seven working days end on the make-up Saturday");
    let (_, body) = get_json(&server, "/api/v1/calendar/deadline?start=2024-09-30&working_days=20").await;
    assert_eq!(body["deadline"], "2024-11-01");
    let (_, day) = get_json(&server, "/api/v1/calendar/days/2024-10-07").await;
    assert_eq!((day["working_day"].as_bool(), day["kind"].as_str()), (Some(false), Some("holiday")));
    assert_eq!(day["holiday"], "国庆节");
    let (status, body) = get_json(&server, "/api/v1/calendar/deadline?start=2027-03-01&working_days=5").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "unknown_year");
    assert!(body["error"]["message"].as_str().unwrap_or_default().contains("节假日安排尚未录入"), "{body}");
    let (status, body) = get_json(&server, "/api/v1/calendar/deadline?working_days=5").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["field"], "start");
    let (status, _) = get_json(&server, "/api/v1/calendar/days/not-a-date").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    server.stop().await;
}
