use atq_platform::{Caller, grpc_client};
use atq_proto::accountingwarehouse::v1 as pb;
use atq_proto::accountingwarehouse::v1::warehouse_client::WarehouseClient;
use atq_tests::{TestSystem, seed_products};
use reqwest::StatusCode;
use serde_json::json;
use tonic::transport::Channel;

/// Calls the warehouse as the sales service does when an order is confirmed or cancelled.
struct AsSales {
    client: WarehouseClient<Channel>,
    key: atq_platform::InternalKey,
}

impl AsSales {
    fn new(system: &mut TestSystem) -> AsSales {
        let channel = grpc_client::channel(&system.system().peers().accounting_warehouse.clone()).unwrap();
        AsSales { client: WarehouseClient::new(channel), key: system.system().internal_key().clone() }
    }

    async fn reserve(&self, order_ref: &str, lines: &[(i32, i64, i64)]) -> Result<pb::Reservation, tonic::Status> {
        let message = pb::ReserveRequest {
            order_ref: order_ref.into(),
            warehouse: atq_proto::common::v1::Office::Hn as i32,
            lines: lines
                .iter()
                .map(|(line_no, product_id, quantity)| pb::ReserveLine {
                    line_no: *line_no,
                    product_id: *product_id,
                    quantity: *quantity,
                    needed_by: None,
                })
                .collect(),
            project: false,
        };
        let request = grpc_client::request(message, &self.key, &Caller::service("sales"), None);
        self.client.clone().reserve(request).await.map(tonic::Response::into_inner)
    }

    async fn release(&self, order_ref: &str) -> pb::Reservation {
        let request = grpc_client::request(
            pb::ReleaseRequest { order_ref: order_ref.into() },
            &self.key,
            &Caller::service("sales"),
            None,
        );
        self.client.clone().release(request).await.unwrap().into_inner()
    }

    async fn get(&self, order_ref: &str) -> pb::Reservation {
        let request = grpc_client::request(
            pb::GetReservationRequest { order_ref: order_ref.into() },
            &self.key,
            &Caller::service("sales"),
            None,
        );
        self.client.clone().get_reservation(request).await.unwrap().into_inner()
    }
}

fn reserved_and_waiting(reservation: &pb::Reservation) -> (i64, i64) {
    (reservation.lines[0].reserved, reservation.lines[0].backordered)
}

#[tokio::test]
async fn two_orders_race_for_the_last_unit_and_the_loser_waits_for_the_next_delivery() {
    let mut system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let keeper = system.login("warehouse").await;
    let press = products.filter_press;
    let receive = |quantity: i64| json!({"warehouse": "HN", "kind": "purchase", "lines": [{"product_id": press, "quantity": quantity, "unit_cost": 100_000}]});
    assert_eq!(keeper.post("/api/v1/stock/receipts", receive(1)).await.status, StatusCode::CREATED);
    let sales = AsSales::new(&mut system);

    let one = [(1, press, 1)];
    let (a, b) = tokio::join!(sales.reserve("DH-2026-0001", &one), sales.reserve("DH-2026-0002", &one));
    let (a, b) = (a.unwrap(), b.unwrap());
    let mut outcomes = [reserved_and_waiting(&a), reserved_and_waiting(&b)];
    outcomes.sort();
    assert_eq!(outcomes, [(0, 1), (1, 0)], "exactly one reservation wins the last unit");
    let (winner, waiting) =
        if a.lines[0].reserved == 1 { ("DH-2026-0001", "DH-2026-0002") } else { ("DH-2026-0002", "DH-2026-0001") };

    // Reserved stock cannot be moved away.
    let transfer = keeper
        .post(
            "/api/v1/stock/transfers",
            json!({"from_warehouse": "HN", "to_warehouse": "DL", "lines": [{"product_id": press, "quantity": 1}]}),
        )
        .await;
    assert_eq!(transfer.status, StatusCode::CONFLICT);

    // The next delivery goes to the waiting order first.
    assert_eq!(keeper.post("/api/v1/stock/receipts", receive(1)).await.status, StatusCode::CREATED);
    assert_eq!(reserved_and_waiting(&sales.get(waiting).await), (1, 0));
    let stock = keeper.get(&format!("/api/v1/stock?product_id={press}&warehouse=HN")).await;
    assert_eq!(
        (stock.body["items"][0]["on_hand"].as_i64(), stock.body["items"][0]["reserved"].as_i64()),
        (Some(2), Some(2))
    );

    // A retry of the same reservation changes nothing; another content for the order is refused.
    assert_eq!(reserved_and_waiting(&sales.reserve(winner, &[(1, press, 1)]).await.unwrap()), (1, 0));
    let different = sales.reserve(winner, &[(1, press, 2)]).await.unwrap_err();
    assert_eq!(different.code(), tonic::Code::FailedPrecondition);

    // Cancelling gives the unit back.
    let released = sales.release(winner).await;
    assert_eq!((released.status.as_str(), released.lines[0].backordered), ("released", 0));
    let stock = keeper.get(&format!("/api/v1/stock?product_id={press}&warehouse=HN")).await;
    assert_eq!(stock.body["items"][0]["available"], 1);
    system.assert_books_agree().await;
    system.stop().await;
}

#[tokio::test]
async fn a_released_reservation_fills_the_oldest_backorder_first() {
    let mut system = TestSystem::start().await;
    let products = seed_products(&system).await;
    let keeper = system.login("warehouse").await;
    let press = products.filter_press;
    keeper
        .post("/api/v1/stock/receipts", json!({"warehouse": "HN", "kind": "opening", "lines": [{"product_id": press, "quantity": 3, "unit_cost": 1}]}))
        .await;
    let sales = AsSales::new(&mut system);
    assert_eq!(reserved_and_waiting(&sales.reserve("DH-1", &[(1, press, 3)]).await.unwrap()), (3, 0));
    assert_eq!(reserved_and_waiting(&sales.reserve("DH-2", &[(1, press, 2)]).await.unwrap()), (0, 2));
    assert_eq!(reserved_and_waiting(&sales.reserve("DH-3", &[(1, press, 2)]).await.unwrap()), (0, 2));

    sales.release("DH-1").await;
    assert_eq!(reserved_and_waiting(&sales.get("DH-2").await), (2, 0), "the older backorder is served first");
    assert_eq!(reserved_and_waiting(&sales.get("DH-3").await), (1, 1));

    let bad = sales.reserve("", &[(0, 0, 0)]).await.unwrap_err();
    assert_eq!(bad.code(), tonic::Code::InvalidArgument);
    system.assert_books_agree().await;
    system.stop().await;
}
