package dev.tempered.http.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The API's answer: a status and a JSON body. */
record Reply(int status, JsonNode body) {
    static Reply ok(JsonNode body) {
        return new Reply(200, body);
    }

    static Reply error(int status, String code, String message) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("status", status);
        o.put("error", code);
        o.put("message", message);
        return new Reply(status, o);
    }

    static Reply of(ApiException e) {
        return error(e.status(), e.code(), e.getMessage());
    }
}
