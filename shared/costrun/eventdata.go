package costrun

import (
	"encoding/json"
	"fmt"
	"time"
)

// chat is a sales conversation, turn by turn: what an assistant's
// new-contact event carries in data.messages. Prose deflates about as
// real chat does (a random-word text would compress better, and price a
// large event too low).
var chat = []string{
	"Hi, we run a 40-person agency in Leeds and are comparing tools for our client onboarding. Can you share pricing?",
	"Of course! Plans start at $49 a month for five seats; most agencies your size pick Growth at $199, which adds shared inboxes and SSO.",
	"Does Growth include the Salesforce sync? Our account managers live in Salesforce and won't copy notes over by hand.",
	"Yes, the two-way Salesforce sync is on Growth and above. Contacts, deals and activity notes update within a minute either way.",
	"Good. What about data residency? Two of our clients are German banks and their procurement asks where everything is stored.",
	"We host in Frankfurt (eu-central-1) on request, and sign a DPA with the EU standard contractual clauses. I can send the security pack.",
	"Please do. Also, is there a trial? I'd like Priya from ops and Tom from finance to try it with a real project before we commit.",
	"There's a 14-day trial with every Growth feature. I can set it up now for jane.smith@example.com and invite Priya and Tom as well.",
	"Let's do that, but start it on Monday the 30th: this week is quarter close and nobody will have time to look at it properly.",
	"Done: the trial starts Monday at 9:00 UK time. I've also booked a 30-minute walkthrough with Marcus, our solutions engineer, on Tuesday.",
	"Tuesday at 2pm works. One more thing: we pay annually by invoice, not card. Is that possible, and is there a discount for it?",
	"Annual invoicing is fine (net 30), and it takes 15% off: Growth comes to $2,030 a year for the first 10 seats, then $17 a seat a month.",
}

// eventData is the catalog sample's data, its conversation grown with
// chat turns until its compact JSON is at least size bytes (the sample
// as it is for size 0).
func eventData(sample []byte, size int) ([]byte, error) {
	if len(sample) >= size {
		return sample, nil
	}
	var data map[string]any
	if err := json.Unmarshal(sample, &data); err != nil {
		return nil, err
	}
	messages, _ := data["messages"].([]any)
	at := time.Date(2026, 11, 23, 9, 58, 12, 0, time.UTC)
	for i := 0; ; i++ {
		role := "assistant"
		if i%2 == 1 {
			role = "user"
		}
		content := chat[i%len(chat)]
		if i >= len(chat) {
			content = fmt.Sprintf("(%d) %s", i/len(chat), content)
		}
		at = at.Add(47 * time.Second)
		messages = append(messages, map[string]any{"role": role, "content": content, "created_at": at.Format(time.RFC3339)})
		data["messages"] = messages
		out, err := json.Marshal(data)
		if err != nil || len(out) >= size {
			return out, err
		}
	}
}
