//! The PubSub websocket spoken raw, where `PubsubClient` hides the answers: each
//! unsubscribe returns `true` and stops its notifications; an unknown id is an error.

mod common;

use std::time::Duration;

use common::{funded, start, wait_confirmed};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;
use solana_sdk::transaction::Transaction;
use solana_system_interface::instruction::transfer;
use tokio_tungstenite::tungstenite::Message;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A websocket that keeps the notifications read while waiting for replies.
struct Ws {
    socket: Socket,
    next_id: u64,
    notifications: Vec<Value>,
}

impl Ws {
    async fn connect(url: &str) -> Self {
        let (socket, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("websocket");
        Ws {
            socket,
            next_id: 1,
            notifications: vec![],
        }
    }

    async fn read(&mut self, wait: Duration) -> Option<Value> {
        let message = tokio::time::timeout(wait, self.socket.next())
            .await
            .ok()??;
        match message.expect("websocket message") {
            Message::Text(text) => Some(serde_json::from_str(&text).expect("json")),
            _ => None,
        }
    }

    /// Sends a request and returns its reply (`result` or `error`).
    async fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let request = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.socket
            .send(Message::Text(request.to_string().into()))
            .await
            .unwrap();
        loop {
            let message = self
                .read(Duration::from_secs(10))
                .await
                .expect("a reply in time");
            if message["id"] == id {
                return message;
            }
            self.notifications.push(message);
        }
    }

    async fn subscribe(&mut self, method: &str, params: Value) -> u64 {
        let reply = self.call(method, params).await;
        reply["result"]
            .as_u64()
            .unwrap_or_else(|| panic!("{method}: {reply}"))
    }

    /// Reads notifications until one of each `methods` has come.
    async fn wait_for(&mut self, methods: &[&str]) {
        let seen = |ws: &Ws, m: &str| ws.notifications.iter().any(|n| n["method"] == m);
        while !methods.iter().all(|m| seen(self, m)) {
            let message = self
                .read(Duration::from_secs(10))
                .await
                .unwrap_or_else(|| panic!("waiting for {methods:?}; got {:?}", self.notifications));
            self.notifications.push(message);
        }
    }
}

#[tokio::test]
async fn unsubscribing_stops_notifications() {
    let (chain, client) = start().await;
    let payer = funded(&client).await;
    let to = Pubkey::new_unique();
    let mut ws = Ws::connect(&chain.ws_url).await;
    let processed = json!({"commitment": "processed"});
    let blockhash = client.get_latest_blockhash().await.unwrap();
    let transfer_tx = |lamports| {
        Transaction::new_signed_with_payer(
            &[transfer(&payer.pubkey(), &to, lamports)],
            Some(&payer.pubkey()),
            &[&payer],
            blockhash,
        )
    };
    let first = transfer_tx(1_000_000);
    let second = transfer_tx(2_000_000);

    let slot = ws.subscribe("slotSubscribe", json!([])).await;
    let account = ws
        .subscribe(
            "accountSubscribe",
            json!([to.to_string(), {"commitment": "processed", "encoding": "base64"}]),
        )
        .await;
    let program = ws
        .subscribe(
            "programSubscribe",
            json!([solana_system_interface::program::ID.to_string(), {"commitment": "processed", "encoding": "base64"}]),
        )
        .await;
    let logs = ws
        .subscribe(
            "logsSubscribe",
            json!([{"mentions": [to.to_string()]}, processed]),
        )
        .await;
    let signature = ws
        .subscribe(
            "signatureSubscribe",
            json!([first.signatures[0].to_string(), processed]),
        )
        .await;

    // Every subscription is live.
    client.send_transaction(&first).await.unwrap();
    ws.wait_for(&[
        "slotNotification",
        "accountNotification",
        "programNotification",
        "logsNotification",
        "signatureNotification",
    ])
    .await;
    let pending = ws
        .subscribe(
            "signatureSubscribe",
            json!([second.signatures[0].to_string(), processed]),
        )
        .await;

    for (method, id) in [
        ("slotUnsubscribe", slot),
        ("accountUnsubscribe", account),
        ("programUnsubscribe", program),
        ("logsUnsubscribe", logs),
        ("signatureUnsubscribe", pending),
    ] {
        let reply = ws.call(method, json!([id])).await;
        assert_eq!(reply["result"], true, "{method}: {reply}");
        // Twice is an unknown id.
        let reply = ws.call(method, json!([id])).await;
        assert_eq!(reply["error"]["code"], -32602, "{method}: {reply}");
    }
    // A signature subscription ends with its notification; an id never handed out is
    // unknown.
    for id in [signature, 9_999] {
        let reply = ws.call("signatureUnsubscribe", json!([id])).await;
        assert_eq!(reply["error"]["code"], -32602, "{reply}");
        assert_eq!(reply["error"]["message"], "Invalid subscription id.");
    }

    // What would have notified every one of them: nothing comes.
    ws.notifications.clear();
    let sig = client.send_transaction(&second).await.unwrap();
    wait_confirmed(&client, &sig).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    while let Some(message) = ws.read(Duration::from_millis(100)).await {
        ws.notifications.push(message);
    }
    assert!(ws.notifications.is_empty(), "{:?}", ws.notifications);
}
