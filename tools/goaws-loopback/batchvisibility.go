package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
)

// batchVisibility answers ChangeMessageVisibilityBatch (JSON protocol),
// which goaws lacks and SQS has: hookrelay's DLQ tools keep thousands of
// messages hidden with it, ten a call. Each entry is handed to goaws as
// the ChangeMessageVisibility it stands for, and the answers are gathered
// as SQS gathers them: an entry goaws refused is listed in Failed with
// goaws's code, the others in Successful, and the call itself succeeds.
// Every other request goes to goaws unchanged.
type batchVisibility struct {
	next http.Handler
}

type visibilityEntry struct {
	Id                string
	ReceiptHandle     string
	VisibilityTimeout int
}

type batchFailure struct {
	Id          string
	Code        string
	Message     string
	SenderFault bool
}

func (b batchVisibility) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if jsonAction(r) != "ChangeMessageVisibilityBatch" {
		b.next.ServeHTTP(w, r)
		return
	}
	var in struct {
		QueueUrl string
		Entries  []visibilityEntry
	}
	body, err := io.ReadAll(r.Body)
	if err == nil {
		err = json.Unmarshal(body, &in)
	}
	if err != nil || len(in.Entries) == 0 || len(in.Entries) > 10 {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "message": "1 to 10 entries"})
		return
	}
	var out struct {
		Successful []map[string]string
		Failed     []batchFailure
	}
	out.Successful, out.Failed = []map[string]string{}, []batchFailure{}
	for _, e := range in.Entries {
		one, _ := json.Marshal(map[string]any{"QueueUrl": in.QueueUrl, "ReceiptHandle": e.ReceiptHandle, "VisibilityTimeout": e.VisibilityTimeout})
		req := r.Clone(r.Context())
		req.Header.Set("X-Amz-Target", "AmazonSQS.ChangeMessageVisibility")
		req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(one)), int64(len(one))
		rec := httptest.NewRecorder()
		b.next.ServeHTTP(rec, req)
		if rec.Code == http.StatusOK {
			out.Successful = append(out.Successful, map[string]string{"Id": e.Id})
			continue
		}
		var refused struct{ Code, Message string }
		_ = json.Unmarshal(rec.Body.Bytes(), &refused)
		out.Failed = append(out.Failed, batchFailure{Id: e.Id, Code: refused.Code, Message: refused.Message, SenderFault: true})
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	_ = json.NewEncoder(w).Encode(out)
}
