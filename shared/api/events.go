package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/hookrelay/hookrelay/catalog"
	"github.com/hookrelay/hookrelay/shared/auth"
	"github.com/hookrelay/hookrelay/shared/healthnotice"
	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/phrase"
)

func (s *server) knownEventType(name string) bool { return s.d.Catalog.Has(name) }

func (s *server) listEventTypes(w http.ResponseWriter, _ *http.Request, _ auth.Principal) error {
	writeJSON(w, http.StatusOK, listJSON[catalog.Type]{Data: s.d.Catalog.Types()})
	return nil
}

type publishInput struct {
	EventName string          `json:"event_name"`
	Data      json.RawMessage `json:"data"`
	ID        string          `json:"id"`
}

type publishedJSON struct {
	ID string `json:"id"`
}

func (s *server) publishEvent(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	var in publishInput
	if err := decodeJSON(w, r, maxEventBody, &in); err != nil {
		return err
	}
	if err := s.checkEvent(in); err != nil {
		return err
	}
	id, err := s.d.Publisher.Publish(r.Context(), p.OrgID, in.EventName, in.Data, in.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, publishedJSON{ID: id})
	return nil
}

func (s *server) checkEvent(in publishInput) error {
	switch {
	case in.EventName == "":
		return invalid(codeInvalidEventName, "event_name is required")
	case !s.d.Catalog.Has(in.EventName):
		return invalid(codeUnknownEventType, "event_name: unknown event type %s", phrase.Quote(in.EventName))
	case healthnotice.IsNotice(in.EventName):
		// Endpoints act on these (page someone, fail over): only
		// hookrelay may say an endpoint was disabled or enabled.
		return invalid(codeReservedEventType, "event_name: %s is sent by hookrelay itself, not published", in.EventName)
	case len(in.Data) == 0 || string(in.Data) == "null":
		return invalid(codeInvalidEventData, "data is required")
	case !ids.ValidProducerID(in.ID):
		return invalid(codeInvalidEventID, "id must be %s", ids.ProducerIDRule)
	}
	// The pipeline's limits first: they are cheap, and the schema
	// validator need not walk data nested thousands of levels deep.
	if err := message.CheckData(in.Data); err != nil {
		if errors.Is(err, message.ErrTooLarge) {
			return fail(http.StatusRequestEntityTooLarge, codeBodyTooLarge, "%s", err)
		}
		return invalid(codeInvalidEventData, "%s", err)
	}
	if err := s.d.Catalog.Validate(in.EventName, in.Data); err != nil {
		var verr *catalog.ValidationError
		switch {
		case errors.As(err, &verr):
			// The validator's message quotes the failing value whole, and
			// the path may hold the client's keys (a schema checking keys
			// it does not name): both cut.
			return invalid(codeInvalidEventData, "%s: %s", phrase.Clip(dataPath(verr.Path), 2*phrase.QuoteMax, "…"), phrase.Clip(verr.Message, 200, "…"))
		case errors.Is(err, catalog.ErrUnknownType):
			return invalid(codeUnknownEventType, "event_name: unknown event type %s", phrase.Quote(in.EventName))
		}
		return err
	}
	return nil
}

// dataPath names the failing location for the tenant: "data" for the
// payload itself, "data/items/0" below it (the validator's JSON pointer).
func dataPath(pointer string) string {
	if pointer == "" || pointer == "/" {
		return "data"
	}
	return "data" + pointer
}
