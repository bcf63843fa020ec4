use atq_tests::{TestSystem, seed_products};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const RATES: &str = "currency,date,rate,source\n\
                     USD,2026-11-02,25380.5,Vietcombank\n\
                     EUR,2026-11-02,27450.5,Vietcombank\n\
                     JPY,2026-11-02,166.125,Vietcombank\n\
                     USD,2026-11-16,25400,Vietcombank\n";

fn sum(values: impl Iterator<Item = i64>) -> i64 {
    values.sum()
}

#[tokio::test]
async fn landed_cost_across_three_currencies_splits_every_charge_exactly() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let accountant = system.login("accountant").await;
    let imported = accountant.send_raw(Method::POST, "/api/v1/exchange-rates", "text/csv", RATES).await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.body);
    assert_eq!((imported.body["created"].as_i64(), imported.body["unchanged"].as_i64()), (Some(4), Some(0)));
    let again = accountant.send_raw(Method::POST, "/api/v1/exchange-rates", "text/csv", RATES).await;
    assert_eq!(
        (again.body["created"].as_i64(), again.body["unchanged"].as_i64()),
        (Some(0), Some(4)),
        "same file, no change"
    );
    let officer = system.login("import").await;
    let duties = officer
        .send(
            Method::PUT,
            "/api/v1/duty-rates",
            Some(json!({"rates": [
                {"hs_code": "9027", "rate": "0.05", "note": "MFN"},
                {"hs_code": "9027.80", "rate": "0.03", "note": "máy đo, phân tích"},
            ]})),
            &[],
        )
        .await;
    assert_eq!(duties.status, StatusCode::OK, "{}", duties.body);

    let in_force = officer.get("/api/v1/exchange-rates?on=2026-11-10&currency=USD").await;
    assert_eq!(in_force.body["items"][0]["rate"], "25380.5", "the rate of 2 November is in force on the 10th");

    let preview = officer
        .post("/api/v1/landed-costs/preview", json!({"currency": "USD", "rate_date": "2026-11-10",
            "lines": [
                {"product_id": products.viscometer, "quantity": 2, "unit_price": 1_000_000, "unit_weight_grams": 12_000},
                {"product_id": products.filter_press, "quantity": 3, "unit_price": 333_333, "unit_weight_grams": 5_000},
            ],
            "charges": [
                {"kind": "freight", "amount": 123_456, "currency": "EUR", "allocation": "weight"},
                {"kind": "insurance", "amount": 150_000, "currency": "JPY", "allocation": "value"},
                {"kind": "customs_fee", "amount": 2_000_001, "currency": "VND", "allocation": "quantity"},
                {"kind": "domestic_transport", "amount": 3_500_000, "currency": "VND", "allocation": "weight"},
            ]}))
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let body = &preview.body;
    let rates: Vec<(&str, &str, &str)> = body["rates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["currency"].as_str().unwrap(), r["rate"].as_str().unwrap(), r["effective_on"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rates,
        [("EUR", "27450.5", "2026-11-02"), ("JPY", "166.125", "2026-11-02"), ("USD", "25380.5", "2026-11-02")]
    );
    let lines = body["lines"].as_array().unwrap();
    // 20,000.00 USD x 25,380.5 and 9,999.99 USD x 25,380.5 = 253,804,746.2 -> 253,804,746.
    assert_eq!(
        (lines[0]["goods_value"].as_i64(), lines[1]["goods_value"].as_i64()),
        (Some(507_610_000), Some(253_804_746))
    );
    // 1,234.56 EUR x 27,450.5 = 33,889,289.28 -> 33,889,289, split 24 kg : 15 kg; the odd đồng
    // goes to the larger remainder (the second line's .92 over the first's .08).
    let charge = |kind: &str| body["charges"].as_array().unwrap().iter().find(|c| c["kind"] == kind).unwrap().clone();
    assert_eq!(charge("freight")["amount_vnd"], 33_889_289);
    assert_eq!(charge("insurance")["amount_vnd"], 24_918_750);
    let share = |line: &Value, kind: &str| {
        line["charges"].as_array().unwrap().iter().find(|c| c["kind"] == kind).unwrap()["amount"].as_i64().unwrap()
    };
    assert_eq!((share(&lines[0], "freight"), share(&lines[1], "freight")), (20_854_947, 13_034_342));
    for kind in ["freight", "insurance", "customs_fee", "domestic_transport"] {
        assert_eq!(
            sum(lines.iter().map(|l| share(l, kind))),
            charge(kind)["amount_vnd"].as_i64().unwrap(),
            "{kind}: no đồng lost or invented"
        );
    }
    for line in lines {
        let cif = line["goods_value"].as_i64().unwrap() + share(line, "freight") + share(line, "insurance");
        assert_eq!(line["customs_value"].as_i64().unwrap(), cif);
        assert_eq!(line["duty_rate"], "0.03", "the longest HS prefix on file");
        assert_eq!(line["import_duty"].as_i64().unwrap(), (cif * 3 + 50) / 100);
        let charges = sum(line["charges"].as_array().unwrap().iter().map(|c| c["amount"].as_i64().unwrap()));
        let landed = line["goods_value"].as_i64().unwrap() + charges + line["import_duty"].as_i64().unwrap();
        assert_eq!(line["landed_total"].as_i64().unwrap(), landed);
        let quantity = line["quantity"].as_i64().unwrap();
        assert_eq!(line["landed_unit_cost"].as_i64().unwrap(), (landed + quantity / 2) / quantity);
        let vat_base = cif + line["import_duty"].as_i64().unwrap();
        assert_eq!(line["import_vat"].as_i64().unwrap(), (vat_base + 5) / 10, "shown, not in the cost");
    }
    assert_eq!(
        body["total_landed"].as_i64().unwrap(),
        body["total_goods"].as_i64().unwrap()
            + body["total_charges"].as_i64().unwrap()
            + body["total_duty"].as_i64().unwrap()
    );

    let later = officer
        .post(
            "/api/v1/landed-costs/preview",
            json!({"currency": "USD", "rate_date": "2026-11-20",
            "lines": [{"product_id": products.viscometer, "quantity": 1, "unit_price": 100, "duty_rate": "0"}]}),
        )
        .await;
    assert_eq!(later.body["rates"][0]["rate"], "25400", "a later date takes the later rate");
    assert_eq!(later.body["lines"][0]["goods_value"], 25_400);
    system.stop().await;
}

#[tokio::test]
async fn bad_rates_and_costs_are_named_and_change_nothing() {
    let system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let officer = system.login("import").await;
    let bad_csv = officer
        .send_raw(
            Method::POST,
            "/api/v1/exchange-rates",
            "text/csv",
            "USD,2026-11-02,25380\nBTC,2026-11-02,1\nEUR,2026-13-01,27000\n",
        )
        .await;
    assert_eq!(bad_csv.status, StatusCode::BAD_REQUEST, "{}", bad_csv.body);
    assert_eq!(bad_csv.error_fields(), ["csv[2].currency", "csv[3].date"]);
    assert_eq!(
        officer.get("/api/v1/exchange-rates").await.body["items"].as_array().unwrap().len(),
        0,
        "all or nothing"
    );
    let bad_json = officer
        .post(
            "/api/v1/exchange-rates",
            json!({"rates": [{"currency": "USD", "effective_on": "2026-11-02", "rate": "1.23456"}]}),
        )
        .await;
    assert_eq!(bad_json.error_fields(), ["rates[0].rate"]);
    officer
        .post(
            "/api/v1/exchange-rates",
            json!({"rates": [{"currency": "USD", "effective_on": "2026-11-02", "rate": "25380"}]}),
        )
        .await;

    let no_duty = officer
        .post(
            "/api/v1/landed-costs/preview",
            json!({"currency": "USD", "rate_date": "2026-11-10",
            "lines": [{"product_id": products.viscometer, "quantity": 1, "unit_price": 100}],
            "charges": [{"kind": "freight", "amount": 5, "currency": "USD", "allocation": "by_magic"}]}),
        )
        .await;
    assert_eq!(no_duty.error_fields(), ["lines[0].duty_rate", "charges[0].allocation"]);
    let no_rate = officer
        .post(
            "/api/v1/landed-costs/preview",
            json!({"currency": "USD", "rate_date": "2026-11-10",
            "lines": [{"product_id": products.viscometer, "quantity": 1, "unit_price": 100, "duty_rate": "0"}],
            "charges": [{"kind": "freight", "amount": 5, "currency": "GBP"}]}),
        )
        .await;
    assert_eq!(no_rate.error_fields(), ["charges[0].currency"], "{}", no_rate.body);
    let too_early = officer
        .post(
            "/api/v1/landed-costs/preview",
            json!({"currency": "USD", "rate_date": "2026-10-01",
            "lines": [{"product_id": products.viscometer, "quantity": 1, "unit_price": 100, "duty_rate": "0"}]}),
        )
        .await;
    assert_eq!(too_early.error_fields(), ["lines[0].unit_price"], "no USD rate in force before 2 November");
    let weightless = officer
        .post(
            "/api/v1/landed-costs/preview",
            json!({"currency": "USD", "rate_date": "2026-11-10",
            "lines": [{"product_id": products.viscometer, "quantity": 1, "unit_price": 100, "duty_rate": "0"}],
            "charges": [{"kind": "freight", "amount": 5, "currency": "USD", "allocation": "weight"}]}),
        )
        .await;
    assert_eq!(weightless.error_fields(), ["charges[0].allocation"]);

    let rep = system.login("sales.hn").await;
    assert_eq!(rep.get("/api/v1/exchange-rates").await.status, StatusCode::FORBIDDEN, "costs show the margins");
    system.stop().await;
}
