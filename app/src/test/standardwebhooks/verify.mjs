// Verifies webhook deliveries with the Standard Webhooks npm library, not Callgate's code.
// Usage: node verify.mjs <deliveries.json>, a file of {"secret", "deliveries": [{"headers", "body"}]}.
// Prints one JSON line per delivery: {"index", "verified", "error"?}; exits 0 when every one verified.
import { readFileSync } from "node:fs";
import { Webhook } from "standardwebhooks";

const input = JSON.parse(readFileSync(process.argv[2], "utf8"));
const webhook = new Webhook(input.secret.replace(/^whsec_/, ""));
let failed = 0;
input.deliveries.forEach((delivery, index) => {
  try {
    webhook.verify(delivery.body, delivery.headers);
    console.log(JSON.stringify({ index, verified: true }));
  } catch (error) {
    failed++;
    console.log(JSON.stringify({ index, verified: false, error: String(error.message ?? error) }));
  }
});
process.exit(failed === 0 ? 0 : 1);
