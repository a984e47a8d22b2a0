// Generated from proto-schemas/ by `pnpm gen`. Do not edit.
export const schemaFiles = {
  "commands/backup.operation.run.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/commands/backup.operation.run.v1.json",
    "title": "BackupOperationRunV1",
    "description": "Work item for the backup workers: run (or resume) the operation. The operation row is the source of truth; redelivery is safe.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "operationId",
      "tenantId",
      "kind"
    ],
    "properties": {
      "operationId": {
        "type": "string",
        "format": "uuid"
      },
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "kind": {
        "$ref": "../common/operation.v1.json#/properties/kind"
      }
    }
  },
  "commands/tenant.operation.run.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/commands/tenant.operation.run.v1.json",
    "title": "TenantOperationRunV1",
    "description": "Work item for the tenant workers: run (or resume) the operation. The operation row is the source of truth; redelivery is safe.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "operationId",
      "tenantId",
      "kind"
    ],
    "properties": {
      "operationId": {
        "type": "string",
        "format": "uuid"
      },
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "kind": {
        "$ref": "../common/operation.v1.json#/properties/kind"
      }
    }
  },
  "common/audit-entry.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/common/audit-entry.v1.json",
    "title": "AuditEntry",
    "description": "One entry of the append-only, hash-chained audit log.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "seq",
      "id",
      "time",
      "source",
      "type",
      "actor",
      "action",
      "outcome",
      "data",
      "prevHash",
      "hash"
    ],
    "properties": {
      "seq": {
        "type": "integer",
        "minimum": 1,
        "description": "Position in the chain: 1, 2, 3, ... without gaps."
      },
      "id": {
        "type": "string",
        "maxLength": 200,
        "description": "The CloudEvents id of the event it records; one entry per id."
      },
      "time": {
        "type": "string",
        "format": "date-time",
        "description": "When the recorded thing happened (the event's time)."
      },
      "source": {
        "type": "string",
        "maxLength": 200
      },
      "type": {
        "type": "string",
        "maxLength": 200,
        "description": "The CloudEvents type recorded."
      },
      "actor": {
        "type": "string",
        "maxLength": 300,
        "description": "operator:<id>, token:<id>, anonymous, or system:<service>."
      },
      "action": {
        "type": "string",
        "maxLength": 200
      },
      "target": {
        "type": [
          "string",
          "null"
        ],
        "maxLength": 300
      },
      "tenantId": {
        "type": [
          "string",
          "null"
        ],
        "maxLength": 64
      },
      "outcome": {
        "$ref": "#/definitions/outcome"
      },
      "data": {
        "type": "object",
        "description": "The recorded event's data."
      },
      "prevHash": {
        "type": "string",
        "pattern": "^[0-9a-f]{64}$"
      },
      "hash": {
        "type": "string",
        "pattern": "^[0-9a-f]{64}$"
      }
    },
    "definitions": {
      "outcome": {
        "type": "string",
        "enum": [
          "success",
          "denied",
          "failed"
        ],
        "description": "success; denied (401/403, refused by authentication or permission); failed (any other error)."
      }
    }
  },
  "common/backup-window.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/common/backup-window.v1.json",
    "title": "BackupWindow",
    "description": "The daily time window in which a tenant's scheduled backup may start.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "windowStart",
      "windowMinutes",
      "derived"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "windowStart": {
        "type": "string",
        "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$",
        "description": "When the tenant's scheduled backup may start, HH:MM UTC."
      },
      "windowMinutes": {
        "type": "integer",
        "minimum": 15,
        "maximum": 1440,
        "description": "How long the window stays open."
      },
      "derived": {
        "type": "boolean",
        "description": "true: no operator set it; the start is derived from the tenant id, which spreads a fleet over the day."
      }
    }
  },
  "common/backup.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/common/backup.v1.json",
    "title": "Backup",
    "description": "One backup of a tenant: its database (pg_dump) and filestore in one encrypted archive in the object store, with the manifest's figures. The data key and the object's address are never part of it.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "id",
      "tenantId",
      "kind",
      "state",
      "createdAt",
      "finishedAt",
      "storedBytes",
      "database",
      "filestore",
      "odooVersion",
      "postgresVersion",
      "drill",
      "error",
      "operationId"
    ],
    "properties": {
      "id": {
        "type": "string",
        "format": "uuid"
      },
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "kind": {
        "type": "string",
        "enum": [
          "manual",
          "scheduled",
          "pre-restore",
          "final",
          "move"
        ],
        "description": "manual: asked by an operator; scheduled: by the tenant's schedule; pre-restore: taken before a restore replaced the database; final: taken before the tenant was deleted. move: taken to move the tenant to another database server (and restored there)."
      },
      "state": {
        "type": "string",
        "enum": [
          "queued",
          "running",
          "succeeded",
          "failed"
        ]
      },
      "createdAt": {
        "type": "string",
        "format": "date-time"
      },
      "finishedAt": {
        "type": [
          "string",
          "null"
        ],
        "format": "date-time"
      },
      "storedBytes": {
        "type": [
          "integer",
          "null"
        ],
        "minimum": 0
      },
      "database": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "bytes",
          "sha256",
          "tables"
        ],
        "properties": {
          "bytes": {
            "type": [
              "integer",
              "null"
            ],
            "minimum": 0
          },
          "sha256": {
            "type": [
              "string",
              "null"
            ],
            "pattern": "^[0-9a-f]{64}$"
          },
          "tables": {
            "type": [
              "integer",
              "null"
            ],
            "minimum": 0
          }
        }
      },
      "filestore": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "bytes",
          "sha256",
          "files"
        ],
        "properties": {
          "bytes": {
            "type": [
              "integer",
              "null"
            ],
            "minimum": 0
          },
          "sha256": {
            "type": [
              "string",
              "null"
            ],
            "pattern": "^[0-9a-f]{64}$"
          },
          "files": {
            "type": [
              "integer",
              "null"
            ],
            "minimum": 0
          }
        }
      },
      "odooVersion": {
        "type": [
          "string",
          "null"
        ],
        "maxLength": 50
      },
      "postgresVersion": {
        "type": [
          "string",
          "null"
        ],
        "maxLength": 100
      },
      "modules": {
        "type": [
          "integer",
          "null"
        ],
        "minimum": 0,
        "description": "Installed Odoo modules at the time of the backup."
      },
      "keptUntil": {
        "type": [
          "string",
          "null"
        ],
        "format": "date-time"
      },
      "generation": {
        "type": [
          "string",
          "null"
        ],
        "enum": [
          "daily",
          "weekly",
          "monthly",
          null
        ],
        "description": "The retention class that keeps it (of succeeded backups only)."
      },
      "drill": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "state",
          "at",
          "detail"
        ],
        "properties": {
          "state": {
            "type": "string",
            "enum": [
              "none",
              "passed",
              "failed"
            ]
          },
          "at": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          },
          "detail": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 2000
          }
        }
      },
      "error": {
        "type": [
          "string",
          "null"
        ],
        "maxLength": 2000
      },
      "operationId": {
        "type": [
          "string",
          "null"
        ],
        "format": "uuid"
      }
    }
  },
  "common/billing-subscription.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/common/billing-subscription.v1.json",
    "title": "BillingSubscription",
    "description": "A subscription of a billing provider (Stripe or Paddle Billing) in the platform's one model.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "id",
      "provider",
      "providerSubscriptionId",
      "customerId",
      "tenantId",
      "plan",
      "priceId",
      "status",
      "currentPeriodEnd",
      "cancelAtPeriodEnd",
      "lastEventId",
      "lastEventType",
      "lastEventAt",
      "updatedAt"
    ],
    "properties": {
      "id": {
        "type": "string",
        "format": "uuid"
      },
      "provider": {
        "$ref": "#/definitions/provider"
      },
      "providerSubscriptionId": {
        "type": "string",
        "maxLength": 200
      },
      "customerId": {
        "type": [
          "string",
          "null"
        ],
        "maxLength": 200
      },
      "tenantId": {
        "type": [
          "string",
          "null"
        ],
        "maxLength": 64
      },
      "plan": {
        "type": [
          "string",
          "null"
        ],
        "maxLength": 32
      },
      "priceId": {
        "type": [
          "string",
          "null"
        ],
        "maxLength": 200
      },
      "status": {
        "$ref": "#/definitions/status"
      },
      "currentPeriodEnd": {
        "type": [
          "string",
          "null"
        ],
        "format": "date-time"
      },
      "cancelAtPeriodEnd": {
        "type": "boolean"
      },
      "lastEventId": {
        "type": "string",
        "maxLength": 200
      },
      "lastEventType": {
        "type": "string",
        "maxLength": 200
      },
      "lastEventAt": {
        "type": "string",
        "format": "date-time",
        "description": "The provider's own time of the last event applied."
      },
      "updatedAt": {
        "type": "string",
        "format": "date-time"
      }
    },
    "definitions": {
      "provider": {
        "type": "string",
        "enum": [
          "stripe",
          "paddle"
        ],
        "title": "BillingProvider"
      },
      "status": {
        "type": "string",
        "enum": [
          "trialing",
          "active",
          "past_due",
          "unpaid",
          "canceled",
          "paused",
          "incomplete",
          "incomplete_expired"
        ],
        "title": "BillingSubscriptionStatus"
      }
    }
  },
  "common/cloudevent.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/common/cloudevent.v1.json",
    "title": "CloudEventEnvelope",
    "description": "CloudEvents 1.0 structured JSON envelope used for every event and work command. data is validated against the schema named by dataschema.",
    "type": "object",
    "required": [
      "specversion",
      "id",
      "type",
      "source",
      "time",
      "datacontenttype",
      "dataschema",
      "data"
    ],
    "properties": {
      "specversion": {
        "const": "1.0"
      },
      "id": {
        "type": "string",
        "minLength": 1,
        "maxLength": 200
      },
      "type": {
        "type": "string",
        "pattern": "^ocp\\.[a-z0-9_.]+\\.v[0-9]+$"
      },
      "source": {
        "type": "string",
        "minLength": 1,
        "maxLength": 200
      },
      "subject": {
        "type": "string",
        "maxLength": 200
      },
      "time": {
        "type": "string",
        "format": "date-time"
      },
      "datacontenttype": {
        "const": "application/json"
      },
      "dataschema": {
        "type": "string",
        "format": "uri"
      },
      "data": {
        "type": "object"
      }
    }
  },
  "common/database-server.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/common/database-server.v1.json",
    "title": "DatabaseServer",
    "description": "A PostgreSQL server that holds tenant databases. Its admin URL is never part of it.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "id",
      "name",
      "maxTenants",
      "accepting",
      "tenantCount",
      "createdAt"
    ],
    "properties": {
      "id": {
        "type": "string",
        "format": "uuid"
      },
      "name": {
        "type": "string",
        "pattern": "^[a-z][a-z0-9-]{0,39}$"
      },
      "maxTenants": {
        "type": "integer",
        "minimum": 1
      },
      "accepting": {
        "type": "boolean"
      },
      "tenantCount": {
        "type": "integer",
        "minimum": 0
      },
      "createdAt": {
        "type": "string",
        "format": "date-time"
      }
    }
  },
  "common/error-code.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/common/error-code.v1.json",
    "title": "ErrorCode",
    "description": "The stable code of every error answer: of request/reply subjects and of the admin API's problem details. Each code has one HTTP status (x-http-status) and one meaning; the gateway answers a code with its status. Add a code here, never in code.",
    "oneOf": [
      {
        "const": "BAD_REQUEST",
        "x-http-status": 400,
        "description": "The request cannot be read: the body is not JSON, or it is empty while a content type says JSON."
      },
      {
        "const": "VALIDATION_FAILED",
        "x-http-status": 400,
        "description": "A value is missing, unknown or outside its allowed shape; `field` names the first one, the detail all of them."
      },
      {
        "const": "WEBHOOK_REJECTED",
        "x-http-status": 400,
        "description": "A provider webhook was refused: its signature is missing, wrong or too old, or its body is not an event."
      },
      {
        "const": "UNAUTHENTICATED",
        "x-http-status": 401,
        "description": "No valid session or API token came with the request: log in, or send a current token."
      },
      {
        "const": "FORBIDDEN",
        "x-http-status": 403,
        "description": "The caller lacks the permission the route needs, or the tenant is not one of theirs; `permission` names it."
      },
      {
        "const": "CSRF_FAILED",
        "x-http-status": 403,
        "description": "A write with the session cookie came without the matching x-csrf-token header."
      },
      {
        "const": "NOT_FOUND",
        "x-http-status": 404,
        "description": "No route answers this method and path."
      },
      {
        "const": "TENANT_NOT_FOUND",
        "x-http-status": 404,
        "description": "No tenant has this id or slug (a deleted tenant is not found either)."
      },
      {
        "const": "OPERATION_NOT_FOUND",
        "x-http-status": 404,
        "description": "No operation has this id."
      },
      {
        "const": "OPERATOR_NOT_FOUND",
        "x-http-status": 404,
        "description": "No operator account has this id."
      },
      {
        "const": "TOKEN_NOT_FOUND",
        "x-http-status": 404,
        "description": "No API token with this id is among the caller's."
      },
      {
        "const": "BACKUP_NOT_FOUND",
        "x-http-status": 404,
        "description": "No backup with this id (or it was pruned)."
      },
      {
        "const": "TENANT_EXISTS",
        "x-http-status": 409,
        "description": "A tenant already has this slug; choose another."
      },
      {
        "const": "OPERATOR_EXISTS",
        "x-http-status": 409,
        "description": "An operator account already has this email or service account name."
      },
      {
        "const": "LAST_OWNER",
        "x-http-status": 409,
        "description": "The change would leave the platform without an enabled owner."
      },
      {
        "const": "INVALID_STATE",
        "x-http-status": 409,
        "description": "The thing is not in a state that allows this action (e.g. resuming a tenant that is not suspended)."
      },
      {
        "const": "BILLING_NOT_CONFIGURED",
        "x-http-status": 409,
        "description": "The billing provider asked for has no API key on this platform."
      },
      {
        "const": "BILLING_NO_CUSTOMER",
        "x-http-status": 409,
        "description": "The tenant is not yet a customer of the billing provider; create a checkout first."
      },
      {
        "const": "PAYLOAD_TOO_LARGE",
        "x-http-status": 413,
        "description": "The request body is larger than the limit of its route."
      },
      {
        "const": "UNSUPPORTED_MEDIA_TYPE",
        "x-http-status": 415,
        "description": "The body's content type is not one the route reads (application/json for the admin API)."
      },
      {
        "const": "IDEMPOTENCY_KEY_REUSED",
        "x-http-status": 422,
        "description": "The Idempotency-Key was used before with a different request; use a new key."
      },
      {
        "const": "TOO_MANY_ATTEMPTS",
        "x-http-status": 429,
        "description": "Too many failed logins for this account or address; wait for Retry-After."
      },
      {
        "const": "INTERNAL",
        "x-http-status": 500,
        "description": "The request failed on our side; the request id finds it in the logs."
      },
      {
        "const": "BILLING_PROVIDER_FAILED",
        "x-http-status": 502,
        "description": "The billing provider refused the request or did not answer."
      },
      {
        "const": "NO_CAPACITY",
        "x-http-status": 503,
        "description": "No database server accepts new tenants; register one or raise a limit."
      },
      {
        "const": "WEBHOOK_NOT_CONFIGURED",
        "x-http-status": 503,
        "description": "The provider's webhook endpoint has no signing secret configured, so nothing from it is accepted."
      },
      {
        "const": "SERVICE_UNAVAILABLE",
        "x-http-status": 503,
        "description": "A service behind the gateway did not answer in time; try again after Retry-After."
      },
      {
        "const": "DATABASE_UNAVAILABLE",
        "x-http-status": 503,
        "description": "The database is restarting, recovering or out of connections for a moment; try again after Retry-After."
      },
      {
        "const": "RUNTIME_NOT_FOUND",
        "x-http-status": 404,
        "description": "No Odoo runtime has this id or name."
      },
      {
        "const": "RUNTIME_EXISTS",
        "x-http-status": 409,
        "description": "An Odoo runtime already has this name."
      },
      {
        "const": "NO_RUNTIME",
        "x-http-status": 409,
        "description": "The tenant is served by no registered Odoo runtime, so Odoo cannot be asked (module operations need one)."
      },
      {
        "const": "RUNTIME_REFUSED",
        "x-http-status": 422,
        "description": "The Odoo runtime answered, but refused: a wrong master password, or a version other than the one given."
      },
      {
        "const": "RUNTIME_UNREACHABLE",
        "x-http-status": 502,
        "description": "The Odoo runtime did not answer in time, or answered something that is not Odoo's JSON-RPC."
      },
      {
        "const": "BACKUP_UNUSABLE",
        "x-http-status": 422,
        "description": "The backup or the uploaded Odoo zip cannot be restored: another tenant's backup, one that did not succeed, a truncated or altered object, a wrong key, a zip without a manifest or from an Odoo version no runtime serves; the detail says which."
      },
      {
        "const": "STORE_UNAVAILABLE",
        "x-http-status": 503,
        "description": "The object store or the key service did not answer; try again."
      },
      {
        "const": "DOMAIN_INVALID",
        "x-http-status": 400,
        "description": "The custom domain is not a host name: empty, a character other than letters, digits, hyphens and dots, or a Unicode name IDNA cannot convert; `field` is domain."
      },
      {
        "const": "DOMAIN_TOO_LONG",
        "x-http-status": 400,
        "description": "The custom domain is longer than 253 characters (in punycode, without a trailing dot)."
      },
      {
        "const": "DOMAIN_LABEL_INVALID",
        "x-http-status": 400,
        "description": "A label of the custom domain (a part between dots) is empty, longer than 63 characters, or starts or ends with a hyphen."
      },
      {
        "const": "DOMAIN_NOT_QUALIFIED",
        "x-http-status": 400,
        "description": "The custom domain has a single label: it needs at least two (example.com, erp.example.com)."
      },
      {
        "const": "DOMAIN_IS_IP",
        "x-http-status": 400,
        "description": "The custom domain is an IP address: a custom domain is a host name."
      },
      {
        "const": "DOMAIN_RESERVED",
        "x-http-status": 400,
        "description": "The custom domain is the platform's own base domain or under it: the addresses there are the platform's tenants' own."
      },
      {
        "const": "DOMAIN_NOT_FOUND",
        "x-http-status": 404,
        "description": "The tenant has not claimed this custom domain."
      },
      {
        "const": "DOMAIN_TAKEN",
        "x-http-status": 409,
        "description": "Another tenant verified this custom domain: a verified domain routes to one tenant only."
      },
      {
        "const": "TOO_MANY_DOMAINS",
        "x-http-status": 409,
        "description": "The tenant has claimed as many custom domains as it may; remove one first."
      },
      {
        "const": "DOMAIN_VERIFICATION_FAILED",
        "x-http-status": 422,
        "description": "The custom domain's DNS TXT record was not found, or not with the expected value: the detail names the record to create and what DNS answered."
      },
      {
        "const": "PLAN_NOT_FOUND",
        "x-http-status": 404,
        "description": "No plan of the catalog has this name."
      },
      {
        "const": "PLAN_INVALID",
        "x-http-status": 400,
        "description": "The plan does not hold together: `field` names the value (e.g. a default module not among the allowed modules); the detail says what a valid plan looks like."
      },
      {
        "const": "PLAN_MODULE_UNKNOWN",
        "x-http-status": 400,
        "description": "The plan names a module that its Odoo version does not have; the detail names the modules."
      },
      {
        "const": "PLAN_LIMIT_BELOW_USAGE",
        "x-http-status": 409,
        "description": "A limit of the plan is below what a tenant on it uses now; the detail names the tenant, the metric and its usage. Send `force` to lower it anyway (the tenant is then over its limit)."
      },
      {
        "const": "PLAN_IN_USE",
        "x-http-status": 409,
        "description": "Tenants are on this plan: move them to another plan before deleting it."
      },
      {
        "const": "TRIAL_END_IN_PAST",
        "x-http-status": 400,
        "description": "The trial's end is not in the future; give a time to come (RFC 3339)."
      },
      {
        "const": "QUOTA_MODULE_NOT_ALLOWED",
        "x-http-status": 403,
        "description": "The module is not among those the tenant's plan allows; choose another plan, or ask for an override."
      },
      {
        "const": "QUOTA_EXCEEDED",
        "x-http-status": 403,
        "description": "The tenant has reached a limit of its plan, so module installs are refused until its usage is back under (or its limits are raised)."
      }
    ]
  },
  "common/operation.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/common/operation.v1.json",
    "title": "Operation",
    "description": "Long-running work with a state and progress.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "id",
      "kind",
      "tenantId",
      "state",
      "progress",
      "error",
      "createdAt",
      "updatedAt"
    ],
    "properties": {
      "id": {
        "type": "string",
        "format": "uuid"
      },
      "kind": {
        "type": "string",
        "enum": [
          "tenant.provision",
          "tenant.suspend",
          "tenant.resume",
          "tenant.delete",
          "tenant.module_install",
          "tenant.module_upgrade",
          "tenant.module_uninstall",
          "tenant.duplicate",
          "tenant.rename",
          "tenant.purge",
          "backup.run",
          "backup.restore",
          "backup.drill",
          "backup.import",
          "backup.move"
        ]
      },
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "state": {
        "type": "string",
        "enum": [
          "queued",
          "running",
          "succeeded",
          "failed"
        ]
      },
      "progress": {
        "type": "integer",
        "minimum": 0,
        "maximum": 100
      },
      "step": {
        "type": [
          "string",
          "null"
        ],
        "maxLength": 200
      },
      "error": {
        "type": [
          "string",
          "null"
        ],
        "maxLength": 2000
      },
      "attempts": {
        "type": "integer",
        "minimum": 0
      },
      "createdAt": {
        "type": "string",
        "format": "date-time"
      },
      "updatedAt": {
        "type": "string",
        "format": "date-time"
      },
      "startedAt": {
        "type": [
          "string",
          "null"
        ],
        "format": "date-time"
      },
      "finishedAt": {
        "type": [
          "string",
          "null"
        ],
        "format": "date-time"
      },
      "result": {
        "type": [
          "object",
          "null"
        ],
        "description": "What a finished operation did, by kind: for module operations `module`, `installed` (modules installed, dependencies and auto-installed ones included), `upgraded`, `removed` (modules uninstalled, dependants included), and `unchanged: true` when the module was already as asked (an install of an installed module, an uninstall of an uninstalled one: nothing is asked of Odoo, and no module event is published); for a rename the previous slug and database.",
        "additionalProperties": true
      },
      "bytesDone": {
        "type": [
          "integer",
          "null"
        ],
        "minimum": 0,
        "description": "Bytes moved so far by a backup, restore or import (progress of work whose size is not known ahead)."
      }
    }
  },
  "common/plan.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/common/plan.v1.json",
    "title": "QuotaPlan",
    "description": "A plan of the quota service's catalog: its limits, the Odoo modules a tenant on it may install, its trial and what happens at 100 %. Tenants carry its name in `plan`.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "name",
      "displayName",
      "odooVersion",
      "limits",
      "allowedModules",
      "defaultModules",
      "trialDays",
      "atLimit",
      "metered",
      "version",
      "createdAt",
      "updatedAt"
    ],
    "properties": {
      "name": {
        "$ref": "tenant.v1.json#/definitions/plan"
      },
      "displayName": {
        "$ref": "#/definitions/displayName"
      },
      "odooVersion": {
        "$ref": "#/definitions/odooVersion"
      },
      "limits": {
        "$ref": "#/definitions/limits"
      },
      "allowedModules": {
        "$ref": "#/definitions/moduleList"
      },
      "defaultModules": {
        "$ref": "#/definitions/defaultModules"
      },
      "trialDays": {
        "$ref": "#/definitions/trialDays"
      },
      "atLimit": {
        "$ref": "#/definitions/atLimit"
      },
      "metered": {
        "$ref": "#/definitions/metered"
      },
      "version": {
        "type": "integer",
        "minimum": 1,
        "maximum": 2147483647,
        "description": "Raised by one at each change: a follower keeps the highest it saw."
      },
      "createdAt": {
        "type": "string",
        "format": "date-time"
      },
      "updatedAt": {
        "type": "string",
        "format": "date-time"
      }
    },
    "definitions": {
      "input": {
        "title": "PlanInput",
        "description": "A plan as an operator writes it (create or replace).",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "name",
          "displayName",
          "limits"
        ],
        "properties": {
          "name": {
            "$ref": "tenant.v1.json#/definitions/plan"
          },
          "displayName": {
            "$ref": "#/definitions/displayName"
          },
          "odooVersion": {
            "$ref": "#/definitions/odooVersion"
          },
          "limits": {
            "$ref": "#/definitions/limits"
          },
          "allowedModules": {
            "$ref": "#/definitions/moduleList"
          },
          "defaultModules": {
            "$ref": "#/definitions/defaultModules"
          },
          "trialDays": {
            "$ref": "#/definitions/trialDays"
          },
          "atLimit": {
            "$ref": "#/definitions/atLimit"
          },
          "metered": {
            "$ref": "#/definitions/metered"
          }
        }
      },
      "displayName": {
        "title": "PlanDisplayName",
        "type": "string",
        "minLength": 1,
        "maxLength": 200,
        "pattern": "^[^\\u0000-\\u001f\\u007f]+$",
        "description": "A name to show: 1 to 200 characters, no control characters."
      },
      "odooVersion": {
        "title": "PlanOdooVersion",
        "description": "The Odoo version the plan's module names are checked against; null: not checked.",
        "oneOf": [
          {
            "type": "null"
          },
          {
            "$ref": "runtime.v1.json#/definitions/odooVersion"
          }
        ]
      },
      "limit": {
        "title": "PlanLimit",
        "type": [
          "integer",
          "null"
        ],
        "minimum": 0,
        "maximum": 9007199254740991,
        "description": "A non-negative integer; null: unlimited."
      },
      "metric": {
        "title": "QuotaMetric",
        "type": "string",
        "enum": [
          "activeUsers",
          "databaseBytes",
          "filestoreBytes",
          "backupBytes",
          "backupGenerations"
        ]
      },
      "limits": {
        "title": "PlanLimits",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "activeUsers",
          "databaseBytes",
          "filestoreBytes",
          "backupBytes",
          "backupGenerations"
        ],
        "properties": {
          "activeUsers": {
            "$ref": "#/definitions/limit"
          },
          "databaseBytes": {
            "$ref": "#/definitions/limit"
          },
          "filestoreBytes": {
            "$ref": "#/definitions/limit"
          },
          "backupBytes": {
            "$ref": "#/definitions/limit"
          },
          "backupGenerations": {
            "$ref": "#/definitions/limit"
          }
        }
      },
      "partialLimits": {
        "title": "PartialLimits",
        "description": "Some limits: a metric left out follows the plan.",
        "type": "object",
        "additionalProperties": false,
        "properties": {
          "activeUsers": {
            "$ref": "#/definitions/limit"
          },
          "databaseBytes": {
            "$ref": "#/definitions/limit"
          },
          "filestoreBytes": {
            "$ref": "#/definitions/limit"
          },
          "backupBytes": {
            "$ref": "#/definitions/limit"
          },
          "backupGenerations": {
            "$ref": "#/definitions/limit"
          }
        }
      },
      "moduleList": {
        "title": "PlanModuleList",
        "type": [
          "array",
          "null"
        ],
        "items": {
          "$ref": "tenant.v1.json#/definitions/moduleName"
        },
        "uniqueItems": true,
        "maxItems": 2000,
        "description": "Technical module names; null: any module."
      },
      "defaultModules": {
        "title": "PlanDefaultModules",
        "type": "array",
        "items": {
          "$ref": "tenant.v1.json#/definitions/moduleName"
        },
        "uniqueItems": true,
        "maxItems": 500,
        "description": "Installed when a tenant is created on the plan; each one among allowedModules."
      },
      "trialDays": {
        "title": "PlanTrialDays",
        "type": [
          "integer",
          "null"
        ],
        "minimum": 1,
        "maximum": 3650,
        "description": "Length of a trial on this plan in days; null: no trial."
      },
      "atLimit": {
        "title": "PlanAtLimit",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "action",
          "graceSeconds"
        ],
        "properties": {
          "action": {
            "type": "string",
            "enum": [
              "block",
              "suspend"
            ],
            "description": "block: module installs are refused while a limit is reached; suspend: also suspended (reason quota) once the grace period is over."
          },
          "graceSeconds": {
            "type": "integer",
            "minimum": 0,
            "maximum": 31536000
          }
        }
      },
      "metered": {
        "title": "PlanMetered",
        "description": "Usage-priced: the active-user count is reported to the provider once per period; null: not metered.",
        "oneOf": [
          {
            "type": "null"
          },
          {
            "type": "object",
            "additionalProperties": false,
            "required": [
              "provider",
              "meterEventName"
            ],
            "properties": {
              "provider": {
                "const": "stripe"
              },
              "meterEventName": {
                "type": "string",
                "pattern": "^[A-Za-z0-9_.:-]{1,100}$"
              }
            }
          },
          {
            "type": "object",
            "additionalProperties": false,
            "required": [
              "provider",
              "priceId"
            ],
            "properties": {
              "provider": {
                "const": "paddle"
              },
              "priceId": {
                "type": "string",
                "pattern": "^pri_[a-z0-9]{1,100}$"
              }
            }
          }
        ]
      }
    }
  },
  "common/restore-target.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/common/restore-target.v1.json",
    "title": "RestoreTarget",
    "description": "Where a tenant's database and filestore live, for the backup service to dump or to restore into.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "databaseName",
      "databaseServerId",
      "ownerRole",
      "filestoreDir",
      "odooVersion",
      "previousState",
      "restoreDatabaseName",
      "databaseServerName"
    ],
    "properties": {
      "databaseName": {
        "type": "string",
        "maxLength": 63
      },
      "databaseServerId": {
        "type": [
          "string",
          "null"
        ],
        "format": "uuid"
      },
      "ownerRole": {
        "type": "string",
        "maxLength": 63,
        "description": "The role that owns the database and every object in it (the runtime's role)."
      },
      "filestoreDir": {
        "type": [
          "string",
          "null"
        ],
        "maxLength": 1000,
        "description": "Absolute path of the tenant's filestore directory; null: the tenant has none."
      },
      "odooVersion": {
        "type": [
          "string",
          "null"
        ],
        "maxLength": 50
      },
      "previousState": {
        "type": [
          "string",
          "null"
        ],
        "maxLength": 20,
        "description": "The state the tenant returns to after the restore."
      },
      "restoreDatabaseName": {
        "type": [
          "string",
          "null"
        ],
        "maxLength": 63,
        "description": "For a restore: the database the backup service creates (owned by ownerRole) and restores into, and the filestore directory of that name under the same root; the tenant service switches both in at the end. Null for a backup."
      },
      "databaseServerName": {
        "type": [
          "string",
          "null"
        ],
        "maxLength": 40,
        "description": "The server's name: the key of its admin URL in the backup service's BACKUP_DB_SERVERS (the default server: BACKUP_DB_ADMIN_URL)."
      }
    }
  },
  "common/route.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/common/route.v1.json",
    "title": "Route",
    "description": "How a request for a tenant reaches its Odoo: the host names that name it, the database Odoo serves for them and the runtime that serves it.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "slug",
      "state",
      "database",
      "hosts",
      "upstream"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "slug": {
        "$ref": "./tenant.v1.json#/definitions/slug"
      },
      "state": {
        "type": "string",
        "enum": [
          "active",
          "suspended",
          "restoring",
          "migrating"
        ],
        "description": "The tenant's state: only active tenants are served; the others are answered by the router (suspended, maintenance)."
      },
      "database": {
        "type": "string",
        "maxLength": 63,
        "description": "The tenant's database name (Odoo's dbfilter)."
      },
      "hosts": {
        "type": "array",
        "items": {
          "$ref": "#/definitions/host"
        },
        "minItems": 0,
        "maxItems": 1000,
        "uniqueItems": true,
        "description": "The host of the tenant's base URL, then every verified custom domain; lowercase ASCII (punycode)."
      },
      "upstream": {
        "oneOf": [
          {
            "type": "null"
          },
          {
            "$ref": "#/definitions/upstream"
          }
        ],
        "description": "Where the tenant's runtime listens: http is Odoo's HTTP port (the runtime's rpcUrl), websocket its gevent port for /websocket and /longpolling/ (the runtime's websocketUrl). Null when the tenant is on no registered runtime (nothing serves it)."
      }
    },
    "definitions": {
      "hostPort": {
        "type": "string",
        "minLength": 3,
        "maxLength": 300,
        "pattern": "^(\\[[0-9a-fA-F:.]+\\]|[^\\s:/\\[\\]]+):[0-9]{1,5}$",
        "description": "host:port (an IPv6 address in brackets).",
        "title": "RouteHostPort"
      },
      "host": {
        "type": "string",
        "minLength": 1,
        "maxLength": 253,
        "pattern": "^[a-z0-9_]([a-z0-9_.-]*[a-z0-9])?$",
        "description": "A lowercase host name without port (an internationalised one in punycode).",
        "title": "RouteHost"
      },
      "upstream": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "http",
          "websocket"
        ],
        "properties": {
          "http": {
            "$ref": "#/definitions/hostPort"
          },
          "websocket": {
            "$ref": "#/definitions/hostPort"
          }
        },
        "title": "RouteUpstream"
      }
    }
  },
  "common/rpc-error.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/common/rpc-error.v1.json",
    "title": "RpcError",
    "description": "The error answer of any request/reply subject. The code is stable; the gateway maps it to an HTTP status.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "error"
    ],
    "properties": {
      "error": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "code",
          "message"
        ],
        "properties": {
          "code": {
            "$ref": "./error-code.v1.json"
          },
          "message": {
            "type": "string",
            "maxLength": 2000
          },
          "field": {
            "type": "string",
            "maxLength": 200
          }
        }
      }
    }
  },
  "common/runtime.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/common/runtime.v1.json",
    "title": "Runtime",
    "description": "An Odoo runtime: Odoo servers of one version in multi-database mode, serving tenants' databases from one database server and one shared data directory. Its master password is never part of it.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "id",
      "name",
      "odooVersion",
      "rpcUrl",
      "databaseServerId",
      "dbRole",
      "filestorePath",
      "state",
      "templateDatabase",
      "templateError",
      "maxTenants",
      "tenantCount",
      "createdAt",
      "updatedAt"
    ],
    "properties": {
      "id": {
        "type": "string",
        "format": "uuid"
      },
      "name": {
        "$ref": "#/definitions/name"
      },
      "odooVersion": {
        "$ref": "#/definitions/odooVersion"
      },
      "rpcUrl": {
        "type": "string",
        "format": "uri",
        "maxLength": 500,
        "description": "The runtime's internal address; JSON-RPC calls go to <rpcUrl>/jsonrpc."
      },
      "websocketUrl": {
        "type": "string",
        "format": "uri",
        "maxLength": 500,
        "description": "The internal address of the runtime's gevent port (Odoo's /websocket and /longpolling/); the rpcUrl's host with port 8072 unless registered otherwise."
      },
      "databaseServerId": {
        "type": "string",
        "format": "uuid"
      },
      "dbRole": {
        "$ref": "#/definitions/dbRole"
      },
      "filestorePath": {
        "type": "string",
        "maxLength": 500,
        "description": "Where the runtime's <data_dir>/filestore is mounted for the platform."
      },
      "state": {
        "type": "string",
        "enum": [
          "preparing",
          "ready",
          "failed",
          "disabled"
        ],
        "description": "preparing: its template is being made through it; ready: takes new tenants; failed: the template could not be made (see templateError); disabled: takes no new tenants, serves its own."
      },
      "templateDatabase": {
        "type": [
          "string",
          "null"
        ],
        "maxLength": 63
      },
      "templateError": {
        "type": [
          "string",
          "null"
        ],
        "maxLength": 2000
      },
      "templateStep": {
        "type": [
          "string",
          "null"
        ],
        "maxLength": 200
      },
      "maxTenants": {
        "type": "integer",
        "minimum": 1,
        "maximum": 100000
      },
      "tenantCount": {
        "type": "integer",
        "minimum": 0
      },
      "createdAt": {
        "type": "string",
        "format": "date-time"
      },
      "updatedAt": {
        "type": "string",
        "format": "date-time"
      },
      "disabledAt": {
        "type": [
          "string",
          "null"
        ],
        "format": "date-time"
      }
    },
    "definitions": {
      "name": {
        "type": "string",
        "pattern": "^[a-z][a-z0-9-]{0,39}$",
        "description": "1 to 40 lowercase letters, digits and hyphens, starting with a letter."
      },
      "odooVersion": {
        "type": "string",
        "enum": [
          "16.0",
          "17.0",
          "18.0"
        ],
        "description": "The Odoo series the runtime serves."
      },
      "dbRole": {
        "type": "string",
        "pattern": "^[a-z_][a-z0-9_]{0,62}$",
        "description": "The PostgreSQL role the runtime's Odoo connects as: it owns the tenants' databases."
      }
    }
  },
  "common/tenant-domain.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/common/tenant-domain.v1.json",
    "title": "TenantDomain",
    "description": "A custom domain a tenant claimed. It routes to the tenant once verified: the DNS TXT record of the challenge was found at the domain. A verified domain belongs to one tenant in the fleet; several may claim it until one verifies it.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "domain",
      "state",
      "challenge",
      "createdAt",
      "verifiedAt"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "domain": {
        "$ref": "#/definitions/hostname"
      },
      "state": {
        "type": "string",
        "enum": [
          "pending",
          "verified"
        ],
        "description": "pending: claimed, its TXT record not yet seen; verified: routed to the tenant."
      },
      "challenge": {
        "$ref": "#/definitions/challenge"
      },
      "createdAt": {
        "type": "string",
        "format": "date-time"
      },
      "verifiedAt": {
        "type": [
          "string",
          "null"
        ],
        "format": "date-time"
      }
    },
    "definitions": {
      "hostname": {
        "type": "string",
        "minLength": 3,
        "maxLength": 253,
        "pattern": "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$",
        "description": "A lowercase ASCII host name (an internationalised one in punycode, xn--).",
        "title": "DomainName"
      },
      "domainInput": {
        "type": "string",
        "minLength": 1,
        "maxLength": 1000,
        "description": "A host name as typed: any case, Unicode allowed (stored in punycode), a trailing dot ignored. The tenant service checks its rules and names the one broken.",
        "title": "DomainInput"
      },
      "challenge": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "type",
          "name",
          "value"
        ],
        "description": "The DNS record that proves the claim: create it at the domain's DNS provider, then ask for verification.",
        "properties": {
          "type": {
            "const": "TXT"
          },
          "name": {
            "type": "string",
            "maxLength": 300,
            "description": "_ocp-challenge.<domain>"
          },
          "value": {
            "type": "string",
            "maxLength": 200,
            "description": "ocp-verify=<token>"
          }
        },
        "title": "DomainChallenge"
      }
    }
  },
  "common/tenant-quota.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/common/tenant-quota.v1.json",
    "title": "TenantQuota",
    "description": "A tenant's quota status: its effective limits (the plan's, with the tenant's override on top), its latest usage, the level of each metric, what is enforced and its trial.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "plan",
      "limits",
      "allowedModules",
      "override",
      "usage",
      "levels",
      "enforcement",
      "trial"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "plan": {
        "$ref": "tenant.v1.json#/definitions/plan"
      },
      "planKnown": {
        "type": "boolean",
        "description": "False when the tenant's plan is not in the catalog: no limits apply."
      },
      "limits": {
        "$ref": "plan.v1.json#/definitions/limits"
      },
      "allowedModules": {
        "$ref": "plan.v1.json#/definitions/moduleList"
      },
      "override": {
        "oneOf": [
          {
            "type": "null"
          },
          {
            "$ref": "#/definitions/override"
          }
        ]
      },
      "usage": {
        "oneOf": [
          {
            "type": "null"
          },
          {
            "$ref": "usage-sample.v1.json"
          }
        ]
      },
      "levels": {
        "title": "QuotaLevels",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "activeUsers",
          "databaseBytes",
          "filestoreBytes",
          "backupBytes",
          "backupGenerations"
        ],
        "properties": {
          "activeUsers": {
            "$ref": "#/definitions/level"
          },
          "databaseBytes": {
            "$ref": "#/definitions/level"
          },
          "filestoreBytes": {
            "$ref": "#/definitions/level"
          },
          "backupBytes": {
            "$ref": "#/definitions/level"
          },
          "backupGenerations": {
            "$ref": "#/definitions/level"
          }
        }
      },
      "enforcement": {
        "$ref": "#/definitions/enforcement"
      },
      "trial": {
        "oneOf": [
          {
            "type": "null"
          },
          {
            "$ref": "#/definitions/trial"
          }
        ]
      }
    },
    "definitions": {
      "level": {
        "title": "QuotaLevel",
        "type": "string",
        "enum": [
          "ok",
          "warning",
          "exceeded",
          "unlimited",
          "unknown"
        ],
        "description": "unlimited: no limit; unknown: a limit, but no figure measured yet (or the last measurement failed)."
      },
      "override": {
        "title": "QuotaOverride",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "limits",
          "updatedAt"
        ],
        "properties": {
          "limits": {
            "$ref": "plan.v1.json#/definitions/partialLimits"
          },
          "allowedModules": {
            "$ref": "plan.v1.json#/definitions/moduleList"
          },
          "updatedAt": {
            "type": "string",
            "format": "date-time"
          }
        }
      },
      "enforcement": {
        "title": "QuotaEnforcement",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "installsBlocked",
          "suspended"
        ],
        "properties": {
          "installsBlocked": {
            "type": "boolean"
          },
          "suspended": {
            "type": "boolean",
            "description": "Suspended for reason quota."
          },
          "since": {
            "type": "string",
            "format": "date-time",
            "description": "When a limit was first reached."
          },
          "graceEndsAt": {
            "type": "string",
            "format": "date-time"
          }
        }
      },
      "trial": {
        "title": "QuotaTrial",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "startedAt",
          "endsAt",
          "state"
        ],
        "properties": {
          "startedAt": {
            "type": "string",
            "format": "date-time"
          },
          "endsAt": {
            "type": "string",
            "format": "date-time"
          },
          "state": {
            "type": "string",
            "enum": [
              "running",
              "converted",
              "ended"
            ]
          }
        }
      }
    }
  },
  "common/tenant.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/common/tenant.v1.json",
    "title": "Tenant",
    "description": "A tenant as the tenant service owns it. Secrets (the database role's password) are never part of it.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "id",
      "slug",
      "displayName",
      "plan",
      "state",
      "suspensionReasons",
      "databaseName",
      "databaseServerId",
      "createdAt",
      "updatedAt"
    ],
    "properties": {
      "id": {
        "type": "string",
        "format": "uuid"
      },
      "slug": {
        "$ref": "#/definitions/slug"
      },
      "displayName": {
        "type": "string",
        "minLength": 1,
        "maxLength": 200,
        "pattern": "^[^\\u0000-\\u001f\\u007f]+$",
        "description": "A name to show: 1 to 200 characters, no control characters."
      },
      "plan": {
        "$ref": "#/definitions/plan"
      },
      "state": {
        "$ref": "#/definitions/state"
      },
      "suspensionReasons": {
        "type": "array",
        "items": {
          "$ref": "#/definitions/suspensionReason"
        },
        "uniqueItems": true,
        "maxItems": 4
      },
      "databaseName": {
        "type": "string",
        "maxLength": 63
      },
      "databaseServerId": {
        "type": [
          "string",
          "null"
        ],
        "format": "uuid"
      },
      "lastError": {
        "type": [
          "string",
          "null"
        ],
        "maxLength": 2000
      },
      "createdAt": {
        "type": "string",
        "format": "date-time"
      },
      "updatedAt": {
        "type": "string",
        "format": "date-time"
      },
      "deletedAt": {
        "type": [
          "string",
          "null"
        ],
        "format": "date-time"
      },
      "runtimeId": {
        "type": [
          "string",
          "null"
        ],
        "format": "uuid",
        "description": "The Odoo runtime that serves the tenant; null: none registered (the server's default runtime role owns its database)."
      },
      "adminLogin": {
        "type": [
          "string",
          "null"
        ],
        "maxLength": 200,
        "description": "The login of the tenant's Odoo administrator (user id 2)."
      },
      "companyName": {
        "type": [
          "string",
          "null"
        ],
        "maxLength": 200
      },
      "baseUrl": {
        "type": [
          "string",
          "null"
        ],
        "maxLength": 500,
        "description": "The tenant's address, Odoo's web.base.url."
      },
      "sourceTenantId": {
        "type": [
          "string",
          "null"
        ],
        "format": "uuid",
        "description": "The tenant this one is a staging copy of."
      },
      "purgeAfter": {
        "type": [
          "string",
          "null"
        ],
        "format": "date-time",
        "description": "A tenant being deleted: when its database and files go for good; until then the deletion can be undone (POST /tenants/{id}/undelete)."
      },
      "finalBackupId": {
        "type": [
          "string",
          "null"
        ],
        "format": "uuid",
        "description": "The backup taken before the tenant was deleted."
      },
      "billingCustomerId": {
        "type": [
          "string",
          "null"
        ],
        "maxLength": 200,
        "description": "The tenant's customer id at its billing provider (Stripe `cus_...`, Paddle `ctm_...`), as billing last announced it (ocp.billing.subscription_changed.v1); null until then."
      }
    },
    "definitions": {
      "slug": {
        "type": "string",
        "pattern": "^[a-z][a-z0-9-]{1,30}[a-z0-9]$",
        "minLength": 3,
        "maxLength": 32,
        "description": "3 to 32 characters: lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit."
      },
      "plan": {
        "type": "string",
        "pattern": "^[a-z][a-z0-9-]{0,31}$",
        "description": "A plan name: lowercase letters, digits and hyphens, starting with a letter, at most 32 characters."
      },
      "state": {
        "type": "string",
        "enum": [
          "pending",
          "provisioning",
          "active",
          "suspended",
          "failed",
          "restoring",
          "migrating",
          "deleting",
          "deleted"
        ]
      },
      "suspensionReason": {
        "type": "string",
        "enum": [
          "billing",
          "quota",
          "trial",
          "manual"
        ]
      },
      "adminLogin": {
        "type": "string",
        "minLength": 1,
        "maxLength": 200,
        "pattern": "^(?:[^\\s@\\u0000-\\u001f\\u007f]+@[^\\s@\\u0000-\\u001f\\u007f]+\\.[^\\s@\\u0000-\\u001f\\u007f]+|[A-Za-z0-9][A-Za-z0-9._-]{0,63})$",
        "description": "An email address, or a user name of letters, digits, dots, hyphens and underscores (at most 64, starting with a letter or digit)."
      },
      "companyName": {
        "type": "string",
        "minLength": 1,
        "maxLength": 200,
        "pattern": "^[^\\u0000-\\u001f\\u007f]+$",
        "description": "1 to 200 characters, no control characters."
      },
      "moduleName": {
        "type": "string",
        "pattern": "^[a-z0-9][a-z0-9_]{0,63}$",
        "description": "A technical module name: lowercase letters, digits and underscores, at most 64."
      },
      "listSort": {
        "type": "string",
        "enum": [
          "-createdAt",
          "createdAt",
          "slug",
          "-slug",
          "displayName",
          "-displayName",
          "-updatedAt",
          "updatedAt",
          "state"
        ],
        "description": "The order of a tenant list: a field, descending when it starts with `-`; ties go by id in the same direction. `displayName` sorts by the lowercased name, byte by byte; `state` by the state's name."
      },
      "searchText": {
        "type": "string",
        "minLength": 1,
        "maxLength": 100,
        "pattern": "^[^\\u0000-\\u001f\\u007f]+$",
        "description": "Free text, 1 to 100 characters without control characters: found anywhere (case-insensitive) in the display name, slug, domain or billing customer id."
      }
    }
  },
  "common/usage-sample.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/common/usage-sample.v1.json",
    "title": "UsageSample",
    "description": "A tenant's usage as measured once. A figure that could not be measured is null, with `error` saying why.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "measuredAt",
      "activeUsers",
      "databaseBytes",
      "filestoreBytes",
      "backupBytes",
      "backupGenerations"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "measuredAt": {
        "type": "string",
        "format": "date-time"
      },
      "activeUsers": {
        "$ref": "#/definitions/figure"
      },
      "databaseBytes": {
        "$ref": "#/definitions/figure"
      },
      "filestoreBytes": {
        "$ref": "#/definitions/figure"
      },
      "backupBytes": {
        "$ref": "#/definitions/figure"
      },
      "backupGenerations": {
        "$ref": "#/definitions/figure"
      },
      "error": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "code",
          "message"
        ],
        "properties": {
          "code": {
            "type": "string",
            "maxLength": 64,
            "description": "e.g. DATABASE_MISSING, DATABASE_UNREACHABLE, FILESTORE_UNREADABLE."
          },
          "message": {
            "type": "string",
            "maxLength": 2000
          }
        }
      }
    },
    "definitions": {
      "figure": {
        "title": "UsageFigure",
        "type": [
          "integer",
          "null"
        ],
        "minimum": 0,
        "maximum": 9007199254740991
      }
    }
  },
  "events/audit.checkpoint.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/audit.checkpoint.v1.json",
    "title": "AuditCheckpointV1",
    "description": "The head of the audit chain at a moment, signed with the audit service's Ed25519 checkpoint key (a key the audit database does not hold). Kept in a stream that refuses deletes and purges, so a log cut back in its database no longer matches its last checkpoint.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "seq",
      "hash",
      "signedAt",
      "keyId",
      "signature"
    ],
    "properties": {
      "seq": {
        "type": "integer",
        "minimum": 1,
        "description": "Position of the last entry of the chain when signed."
      },
      "hash": {
        "type": "string",
        "pattern": "^[0-9a-f]{64}$",
        "description": "The hash of that entry."
      },
      "signedAt": {
        "type": "string",
        "format": "date-time",
        "description": "When it was signed (RFC 3339 UTC, as Date.toISOString() writes it)."
      },
      "keyId": {
        "type": "string",
        "pattern": "^[0-9a-f]{16}$",
        "description": "First 16 hex digits of the SHA-256 of the signing key's public key (SPKI DER): which key signed it."
      },
      "signature": {
        "type": "string",
        "maxLength": 200,
        "description": "Ed25519 signature (base64) of the RFC 8785 canonical JSON of {hash, keyId, seq, signedAt, type: \"ocp.audit.checkpoint.v1\"}."
      }
    }
  },
  "events/audit.request.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/audit.request.v1.json",
    "title": "AuditRequestV1",
    "description": "A mutating request to the admin API, or a refused request of any kind, as the gateway saw it. Secrets (passwords, tokens) are never part of it.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "actor",
      "action",
      "outcome",
      "status",
      "method",
      "path",
      "requestId",
      "sourceIp",
      "userAgent"
    ],
    "properties": {
      "actor": {
        "type": "string",
        "maxLength": 300,
        "description": "operator:<id>, token:<id> or anonymous."
      },
      "actorEmail": {
        "type": [
          "string",
          "null"
        ],
        "maxLength": 254
      },
      "action": {
        "type": "string",
        "maxLength": 200,
        "description": "What was asked, e.g. tenant.suspend, operator.create, auth.login."
      },
      "target": {
        "type": [
          "string",
          "null"
        ],
        "maxLength": 300,
        "description": "What it was about, e.g. tenant:<id>, operator:<id>."
      },
      "tenantId": {
        "type": [
          "string",
          "null"
        ],
        "maxLength": 64
      },
      "outcome": {
        "$ref": "../common/audit-entry.v1.json#/definitions/outcome"
      },
      "status": {
        "type": "integer",
        "minimum": 100,
        "maximum": 599
      },
      "reason": {
        "type": [
          "string",
          "null"
        ],
        "maxLength": 2000,
        "description": "Why it was refused or failed."
      },
      "method": {
        "type": "string",
        "maxLength": 10
      },
      "path": {
        "type": "string",
        "maxLength": 2000
      },
      "requestId": {
        "type": "string",
        "maxLength": 100
      },
      "sourceIp": {
        "type": "string",
        "maxLength": 100
      },
      "userAgent": {
        "type": "string",
        "maxLength": 1000
      },
      "before": {
        "type": [
          "object",
          "null"
        ]
      },
      "after": {
        "type": [
          "object",
          "null"
        ]
      }
    }
  },
  "events/backup.completed.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/backup.completed.v1.json",
    "title": "BackupCompletedV1",
    "description": "A backup was stored and entered in the catalog.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "backup"
    ],
    "properties": {
      "backup": {
        "$ref": "../common/backup.v1.json"
      }
    }
  },
  "events/backup.drilled.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/backup.drilled.v1.json",
    "title": "BackupDrilledV1",
    "description": "A drill restored a backup into a scratch database and compared it with its manifest.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "backup"
    ],
    "properties": {
      "backup": {
        "$ref": "../common/backup.v1.json"
      }
    }
  },
  "events/backup.failed.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/backup.failed.v1.json",
    "title": "BackupFailedV1",
    "description": "A backup failed; no catalog entry claims it.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "backup"
    ],
    "properties": {
      "backup": {
        "$ref": "../common/backup.v1.json"
      }
    }
  },
  "events/backup.pruned.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/backup.pruned.v1.json",
    "title": "BackupPrunedV1",
    "description": "Retention removed a backup from the store and the catalog.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "backup",
      "reason"
    ],
    "properties": {
      "backup": {
        "$ref": "../common/backup.v1.json"
      },
      "reason": {
        "type": "string",
        "maxLength": 500
      }
    }
  },
  "events/billing.subscription_changed.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/billing.subscription_changed.v1.json",
    "title": "BillingSubscriptionChangedV1",
    "description": "A subscription's state in the platform's model changed.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "subscription"
    ],
    "properties": {
      "subscription": {
        "$ref": "../common/billing-subscription.v1.json"
      }
    }
  },
  "events/billing.tenant_access_changed.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/billing.tenant_access_changed.v1.json",
    "title": "BillingTenantAccessChangedV1",
    "description": "Billing's decision for a tenant: access revoked (suspend for reason billing) or granted (clear reason billing). The tenant service applies it.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "access",
      "provider",
      "subscriptionId",
      "status",
      "reason"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "access": {
        "type": "string",
        "enum": [
          "granted",
          "revoked"
        ]
      },
      "provider": {
        "$ref": "../common/billing-subscription.v1.json#/definitions/provider"
      },
      "subscriptionId": {
        "type": "string",
        "format": "uuid"
      },
      "status": {
        "$ref": "../common/billing-subscription.v1.json#/definitions/status"
      },
      "reason": {
        "type": "string",
        "maxLength": 500
      }
    }
  },
  "events/billing.tenant_plan_changed.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/billing.tenant_plan_changed.v1.json",
    "title": "BillingTenantPlanChangedV1",
    "description": "A tenant's subscription moved to a price that maps to another platform plan. The tenant service applies it.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "plan",
      "provider",
      "subscriptionId"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "plan": {
        "$ref": "../common/tenant.v1.json#/definitions/plan"
      },
      "provider": {
        "$ref": "../common/billing-subscription.v1.json#/definitions/provider"
      },
      "subscriptionId": {
        "type": "string",
        "format": "uuid"
      }
    }
  },
  "events/billing.webhook_received.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/billing.webhook_received.v1.json",
    "title": "BillingWebhookReceivedV1",
    "description": "A provider's webhook whose signature the gateway verified over the raw bytes, as received. The CloudEvents id is <provider>:<provider event id>, so a redelivery by the provider is dropped by JetStream.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "provider",
      "providerEventId",
      "providerEventType",
      "receivedAt",
      "body"
    ],
    "properties": {
      "provider": {
        "$ref": "../common/billing-subscription.v1.json#/definitions/provider"
      },
      "providerEventId": {
        "type": "string",
        "minLength": 1,
        "maxLength": 200
      },
      "providerEventType": {
        "type": "string",
        "maxLength": 200
      },
      "receivedAt": {
        "type": "string",
        "format": "date-time"
      },
      "body": {
        "type": "string",
        "maxLength": 1048576,
        "description": "The raw body, UTF-8, exactly as signed."
      }
    }
  },
  "events/billing.webhook_rejected.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/billing.webhook_rejected.v1.json",
    "title": "BillingWebhookRejectedV1",
    "description": "A webhook the gateway refused (bad or missing signature, stale timestamp, too large, wrong content type). The body is not kept.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "provider",
      "reason",
      "receivedAt",
      "bodyBytes",
      "sourceIp"
    ],
    "properties": {
      "provider": {
        "$ref": "../common/billing-subscription.v1.json#/definitions/provider"
      },
      "reason": {
        "type": "string",
        "maxLength": 500
      },
      "receivedAt": {
        "type": "string",
        "format": "date-time"
      },
      "bodyBytes": {
        "type": "integer",
        "minimum": 0
      },
      "sourceIp": {
        "type": "string",
        "maxLength": 100
      }
    }
  },
  "events/operation.updated.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/operation.updated.v1.json",
    "title": "OperationUpdatedV1",
    "description": "An operation changed state or progress.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "operation"
    ],
    "properties": {
      "operation": {
        "$ref": "../common/operation.v1.json"
      }
    }
  },
  "events/quota.back_under.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/quota.back_under.v1.json",
    "title": "QuotaBackUnderV1",
    "description": "A tenant's usage of a metric fell back under its limit.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "metric",
      "usage",
      "limit"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "metric": {
        "$ref": "../common/plan.v1.json#/definitions/metric"
      },
      "usage": {
        "type": "integer",
        "minimum": 0,
        "maximum": 9007199254740991
      },
      "limit": {
        "type": [
          "integer",
          "null"
        ],
        "minimum": 0,
        "maximum": 9007199254740991
      }
    }
  },
  "events/quota.enforcement_changed.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/quota.enforcement_changed.v1.json",
    "title": "QuotaEnforcementChangedV1",
    "description": "Whether module installs are refused for a tenant because a limit is reached; the tenant service keeps it and refuses installs while true.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "installsBlocked"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "installsBlocked": {
        "type": "boolean"
      },
      "reason": {
        "type": "string",
        "maxLength": 500
      }
    }
  },
  "events/quota.exceeded.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/quota.exceeded.v1.json",
    "title": "QuotaExceededV1",
    "description": "A tenant's usage of a metric reached its limit (100 %); once per crossing.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "metric",
      "usage",
      "limit"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "metric": {
        "$ref": "../common/plan.v1.json#/definitions/metric"
      },
      "usage": {
        "type": "integer",
        "minimum": 0,
        "maximum": 9007199254740991
      },
      "limit": {
        "type": "integer",
        "minimum": 0,
        "maximum": 9007199254740991
      }
    }
  },
  "events/quota.plan_changed.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/quota.plan_changed.v1.json",
    "title": "QuotaPlanChangedV1",
    "description": "A plan was created, changed or deleted (`deleted`): the catalog the tenant, billing and backup services follow. Keep the highest `plan.version` per name.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "plan"
    ],
    "properties": {
      "plan": {
        "$ref": "../common/plan.v1.json"
      },
      "deleted": {
        "const": true
      }
    }
  },
  "events/quota.tenant_access_changed.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/quota.tenant_access_changed.v1.json",
    "title": "QuotaTenantAccessChangedV1",
    "description": "The quota service's decision for a tenant: access revoked (suspend for `reason`) or granted (clear that reason only). The tenant service applies it.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "access",
      "reason",
      "detail"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "access": {
        "type": "string",
        "enum": [
          "granted",
          "revoked"
        ]
      },
      "reason": {
        "type": "string",
        "enum": [
          "quota",
          "trial"
        ]
      },
      "detail": {
        "type": "string",
        "maxLength": 500
      }
    }
  },
  "events/quota.trial_ended.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/quota.trial_ended.v1.json",
    "title": "QuotaTrialEndedV1",
    "description": "A tenant's trial ended: suspended (reason trial) without an active subscription, or converted.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "outcome"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "outcome": {
        "type": "string",
        "enum": [
          "suspended",
          "converted"
        ]
      }
    }
  },
  "events/quota.trial_ending.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/quota.trial_ending.v1.json",
    "title": "QuotaTrialEndingV1",
    "description": "A tenant's trial ends soon (sent at each configured number of days before the end).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "endsAt",
      "daysLeft"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "endsAt": {
        "type": "string",
        "format": "date-time"
      },
      "daysLeft": {
        "type": "integer",
        "minimum": 0,
        "maximum": 3650
      }
    }
  },
  "events/quota.usage_reported.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/quota.usage_reported.v1.json",
    "title": "QuotaUsageReportedV1",
    "description": "A tenant's metered usage for a period was sent to its billing provider (once per period).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "provider",
      "period",
      "quantity"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "provider": {
        "$ref": "../common/billing-subscription.v1.json#/definitions/provider"
      },
      "period": {
        "type": "string",
        "minLength": 1,
        "maxLength": 64,
        "description": "The period reported, e.g. 2026-12-01T00:00:00Z/2026-12-02T00:00:00Z or a day 2026-12-01."
      },
      "quantity": {
        "type": "integer",
        "minimum": 0,
        "maximum": 9007199254740991
      }
    }
  },
  "events/quota.warning.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/quota.warning.v1.json",
    "title": "QuotaWarningV1",
    "description": "A tenant's usage of a metric crossed the warning threshold (80 % by default) upward; once per crossing.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "metric",
      "usage",
      "limit",
      "percent"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "metric": {
        "$ref": "../common/plan.v1.json#/definitions/metric"
      },
      "usage": {
        "type": "integer",
        "minimum": 0,
        "maximum": 9007199254740991
      },
      "limit": {
        "type": "integer",
        "minimum": 0,
        "maximum": 9007199254740991
      },
      "percent": {
        "type": "integer",
        "minimum": 0,
        "maximum": 1000000
      }
    }
  },
  "events/tenant.activated.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/tenant.activated.v1.json",
    "title": "TenantActivatedV1",
    "description": "The tenant's database is ready and accepts connections (state active).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenant",
      "operationId"
    ],
    "properties": {
      "tenant": {
        "$ref": "../common/tenant.v1.json"
      },
      "operationId": {
        "type": "string",
        "format": "uuid"
      }
    }
  },
  "events/tenant.created.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/tenant.created.v1.json",
    "title": "TenantCreatedV1",
    "description": "A tenant was registered and its provisioning queued (state pending).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenant",
      "operationId"
    ],
    "properties": {
      "tenant": {
        "$ref": "../common/tenant.v1.json"
      },
      "operationId": {
        "type": "string",
        "format": "uuid"
      }
    }
  },
  "events/tenant.deleted.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/tenant.deleted.v1.json",
    "title": "TenantDeletedV1",
    "description": "The tenant's database and role are gone (state deleted).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenant",
      "operationId"
    ],
    "properties": {
      "tenant": {
        "$ref": "../common/tenant.v1.json"
      },
      "operationId": {
        "type": "string",
        "format": "uuid"
      }
    }
  },
  "events/tenant.deleting.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/tenant.deleting.v1.json",
    "title": "TenantDeletingV1",
    "description": "Deletion of the tenant started (state deleting).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenant",
      "operationId"
    ],
    "properties": {
      "tenant": {
        "$ref": "../common/tenant.v1.json"
      },
      "operationId": {
        "type": "string",
        "format": "uuid"
      }
    }
  },
  "events/tenant.deletion_cancelled.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/tenant.deletion_cancelled.v1.json",
    "title": "TenantDeletionCancelledV1",
    "description": "A deletion was undone during its grace period: the tenant is back in the state it was deleted from, with its database and files.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenant"
    ],
    "properties": {
      "tenant": {
        "$ref": "../common/tenant.v1.json"
      }
    }
  },
  "events/tenant.domain_removed.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/tenant.domain_removed.v1.json",
    "title": "TenantDomainRemovedV1",
    "description": "A verified custom domain was removed from the tenant (on request, or with the tenant): it no longer routes to it.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "domain"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "domain": {
        "$ref": "../common/tenant-domain.v1.json#/definitions/hostname"
      }
    }
  },
  "events/tenant.domain_verified.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/tenant.domain_verified.v1.json",
    "title": "TenantDomainVerifiedV1",
    "description": "A custom domain's TXT record was found: the domain now routes to the tenant.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "domain"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "domain": {
        "$ref": "../common/tenant-domain.v1.json#/definitions/hostname"
      }
    }
  },
  "events/tenant.module_installed.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/tenant.module_installed.v1.json",
    "title": "TenantModuleInstalledV1",
    "description": "A module of a tenant was installed, with the modules it pulled in.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenant",
      "operationId",
      "module",
      "installed",
      "upgraded",
      "removed"
    ],
    "properties": {
      "tenant": {
        "$ref": "../common/tenant.v1.json"
      },
      "operationId": {
        "type": "string",
        "format": "uuid"
      },
      "module": {
        "type": "string",
        "maxLength": 128
      },
      "installed": {
        "type": "array",
        "items": {
          "type": "string",
          "maxLength": 128
        },
        "maxItems": 2000,
        "description": "Modules that became installed."
      },
      "upgraded": {
        "type": "array",
        "items": {
          "type": "string",
          "maxLength": 128
        },
        "maxItems": 2000,
        "description": "Modules upgraded."
      },
      "removed": {
        "type": "array",
        "items": {
          "type": "string",
          "maxLength": 128
        },
        "maxItems": 2000,
        "description": "Modules that became uninstalled."
      }
    }
  },
  "events/tenant.module_uninstalled.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/tenant.module_uninstalled.v1.json",
    "title": "TenantModuleUninstalledV1",
    "description": "A module of a tenant was uninstalled, with the modules that depended on it.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenant",
      "operationId",
      "module",
      "installed",
      "upgraded",
      "removed"
    ],
    "properties": {
      "tenant": {
        "$ref": "../common/tenant.v1.json"
      },
      "operationId": {
        "type": "string",
        "format": "uuid"
      },
      "module": {
        "type": "string",
        "maxLength": 128
      },
      "installed": {
        "type": "array",
        "items": {
          "type": "string",
          "maxLength": 128
        },
        "maxItems": 2000,
        "description": "Modules that became installed."
      },
      "upgraded": {
        "type": "array",
        "items": {
          "type": "string",
          "maxLength": 128
        },
        "maxItems": 2000,
        "description": "Modules upgraded."
      },
      "removed": {
        "type": "array",
        "items": {
          "type": "string",
          "maxLength": 128
        },
        "maxItems": 2000,
        "description": "Modules that became uninstalled."
      }
    }
  },
  "events/tenant.module_upgraded.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/tenant.module_upgraded.v1.json",
    "title": "TenantModuleUpgradedV1",
    "description": "A module of a tenant was upgraded.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenant",
      "operationId",
      "module",
      "installed",
      "upgraded",
      "removed"
    ],
    "properties": {
      "tenant": {
        "$ref": "../common/tenant.v1.json"
      },
      "operationId": {
        "type": "string",
        "format": "uuid"
      },
      "module": {
        "type": "string",
        "maxLength": 128
      },
      "installed": {
        "type": "array",
        "items": {
          "type": "string",
          "maxLength": 128
        },
        "maxItems": 2000,
        "description": "Modules that became installed."
      },
      "upgraded": {
        "type": "array",
        "items": {
          "type": "string",
          "maxLength": 128
        },
        "maxItems": 2000,
        "description": "Modules upgraded."
      },
      "removed": {
        "type": "array",
        "items": {
          "type": "string",
          "maxLength": 128
        },
        "maxItems": 2000,
        "description": "Modules that became uninstalled."
      }
    }
  },
  "events/tenant.moved.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/tenant.moved.v1.json",
    "title": "TenantMovedV1",
    "description": "A tenant moved to another database server (and runtime) by backup and restore.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenant",
      "restoreId",
      "previousDatabaseServerId",
      "previousRuntimeId"
    ],
    "properties": {
      "tenant": {
        "$ref": "../common/tenant.v1.json"
      },
      "restoreId": {
        "type": "string",
        "format": "uuid"
      },
      "previousDatabaseServerId": {
        "type": [
          "string",
          "null"
        ],
        "format": "uuid"
      },
      "previousRuntimeId": {
        "type": [
          "string",
          "null"
        ],
        "format": "uuid"
      }
    }
  },
  "events/tenant.plan_changed.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/tenant.plan_changed.v1.json",
    "title": "TenantPlanChangedV1",
    "description": "The tenant's plan changed (from billing or an operator).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenant",
      "previousPlan"
    ],
    "properties": {
      "tenant": {
        "$ref": "../common/tenant.v1.json"
      },
      "previousPlan": {
        "$ref": "../common/tenant.v1.json#/definitions/plan"
      }
    }
  },
  "events/tenant.provisioning.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/tenant.provisioning.v1.json",
    "title": "TenantProvisioningV1",
    "description": "Provisioning of the tenant's database started (state provisioning).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenant",
      "operationId"
    ],
    "properties": {
      "tenant": {
        "$ref": "../common/tenant.v1.json"
      },
      "operationId": {
        "type": "string",
        "format": "uuid"
      }
    }
  },
  "events/tenant.provisioning_failed.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/tenant.provisioning_failed.v1.json",
    "title": "TenantProvisioningFailedV1",
    "description": "Provisioning failed (state failed); the operation's error says why. Retrying is possible.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenant",
      "operationId",
      "error"
    ],
    "properties": {
      "tenant": {
        "$ref": "../common/tenant.v1.json"
      },
      "operationId": {
        "type": "string",
        "format": "uuid"
      },
      "error": {
        "type": "string",
        "maxLength": 2000
      }
    }
  },
  "events/tenant.renamed.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/tenant.renamed.v1.json",
    "title": "TenantRenamedV1",
    "description": "A tenant's slug, database and filestore directory were renamed together.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenant",
      "operationId",
      "previousSlug",
      "previousDatabaseName"
    ],
    "properties": {
      "tenant": {
        "$ref": "../common/tenant.v1.json"
      },
      "operationId": {
        "type": "string",
        "format": "uuid"
      },
      "previousSlug": {
        "type": "string",
        "maxLength": 32
      },
      "previousDatabaseName": {
        "type": "string",
        "maxLength": 63
      }
    }
  },
  "events/tenant.restored.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/tenant.restored.v1.json",
    "title": "TenantRestoredV1",
    "description": "A restore of a tenant ended: restored (its database and filestore now come from the backup) or failed (left as it was; a new tenant is failed).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenant",
      "restoreId",
      "outcome",
      "backupId",
      "error"
    ],
    "properties": {
      "tenant": {
        "$ref": "../common/tenant.v1.json"
      },
      "restoreId": {
        "type": "string",
        "format": "uuid"
      },
      "outcome": {
        "type": "string",
        "enum": [
          "restored",
          "failed"
        ]
      },
      "backupId": {
        "type": [
          "string",
          "null"
        ],
        "format": "uuid"
      },
      "error": {
        "type": [
          "string",
          "null"
        ],
        "maxLength": 2000
      }
    }
  },
  "events/tenant.restoring.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/tenant.restoring.v1.json",
    "title": "TenantRestoringV1",
    "description": "A tenant was handed to the backup service for a restore: its database is about to be replaced (or, for a new tenant, made).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenant",
      "restoreId"
    ],
    "properties": {
      "tenant": {
        "$ref": "../common/tenant.v1.json"
      },
      "restoreId": {
        "type": "string",
        "format": "uuid"
      }
    }
  },
  "events/tenant.resumed.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/tenant.resumed.v1.json",
    "title": "TenantResumedV1",
    "description": "The last suspension reason was cleared; the tenant's database accepts connections again (state active).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenant",
      "operationId",
      "reason"
    ],
    "properties": {
      "tenant": {
        "$ref": "../common/tenant.v1.json"
      },
      "operationId": {
        "type": "string",
        "format": "uuid"
      },
      "reason": {
        "$ref": "../common/tenant.v1.json#/definitions/suspensionReason"
      }
    }
  },
  "events/tenant.suspended.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/tenant.suspended.v1.json",
    "title": "TenantSuspendedV1",
    "description": "A suspension reason was added; the tenant's database refuses new connections (state suspended).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenant",
      "operationId",
      "reason"
    ],
    "properties": {
      "tenant": {
        "$ref": "../common/tenant.v1.json"
      },
      "operationId": {
        "type": "string",
        "format": "uuid"
      },
      "reason": {
        "$ref": "../common/tenant.v1.json#/definitions/suspensionReason"
      }
    }
  },
  "events/tenant.suspension_reason_cleared.v1": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/events/tenant.suspension_reason_cleared.v1.json",
    "title": "TenantSuspensionReasonClearedV1",
    "description": "One suspension reason was cleared while others still hold the tenant suspended.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenant",
      "operationId",
      "reason"
    ],
    "properties": {
      "tenant": {
        "$ref": "../common/tenant.v1.json"
      },
      "operationId": {
        "type": "string",
        "format": "uuid"
      },
      "reason": {
        "$ref": "../common/tenant.v1.json#/definitions/suspensionReason"
      }
    }
  },
  "rpc/audit.query.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/audit.query.v1.reply.json",
    "title": "AuditQueryReplyV1",
    "description": "A page of entries and the cursor of the next page (null on the last).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "items",
      "nextCursor"
    ],
    "properties": {
      "items": {
        "type": "array",
        "items": {
          "$ref": "../common/audit-entry.v1.json"
        }
      },
      "nextCursor": {
        "type": [
          "string",
          "null"
        ],
        "description": "Pass as cursor for the next page; null on the last page."
      }
    }
  },
  "rpc/audit.query.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/audit.query.v1.request.json",
    "title": "AuditQueryRequestV1",
    "description": "One page of audit entries in chain order, oldest first (`order` asc, the default) or newest first (desc), filtered.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "limit"
    ],
    "properties": {
      "limit": {
        "type": "integer",
        "minimum": 1,
        "maximum": 5000
      },
      "order": {
        "type": "string",
        "enum": [
          "asc",
          "desc"
        ],
        "default": "asc",
        "description": "asc: oldest first (chain order); desc: newest first. A cursor belongs to the order that gave it."
      },
      "cursor": {
        "type": "string",
        "minLength": 1,
        "maxLength": 200,
        "description": "nextCursor of the previous page, asked in the same order: the entries after it in that order. Opaque."
      },
      "from": {
        "type": "string",
        "format": "date-time"
      },
      "to": {
        "type": "string",
        "format": "date-time"
      },
      "actor": {
        "type": "string",
        "maxLength": 300
      },
      "tenantId": {
        "type": "string",
        "maxLength": 64
      },
      "tenantIds": {
        "type": "array",
        "items": {
          "type": "string",
          "maxLength": 64
        },
        "maxItems": 1000,
        "description": "Only entries about these tenants (an operator limited to them)."
      },
      "action": {
        "type": "string",
        "maxLength": 200
      },
      "outcome": {
        "$ref": "../common/audit-entry.v1.json#/definitions/outcome"
      }
    }
  },
  "rpc/audit.verify.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/audit.verify.v1.reply.json",
    "title": "AuditVerifyReplyV1",
    "description": "Whether the chain holds over the range, and whether the log still agrees with its last signed checkpoint; when not, the first broken link, or what the checkpoint shows.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "ok",
      "checked",
      "fromSeq",
      "toSeq",
      "checkpoint"
    ],
    "properties": {
      "ok": {
        "type": "boolean",
        "description": "The chain holds over the range and the log agrees with its last checkpoint. A log without a checkpoint key, or without a checkpoint yet, is judged on its chain alone: checkpoint.outcome says so."
      },
      "checked": {
        "type": "integer",
        "minimum": 0
      },
      "fromSeq": {
        "type": [
          "integer",
          "null"
        ]
      },
      "toSeq": {
        "type": [
          "integer",
          "null"
        ]
      },
      "firstBroken": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "seq",
          "problem",
          "detail"
        ],
        "properties": {
          "seq": {
            "type": "integer",
            "description": "The position where the chain breaks."
          },
          "problem": {
            "type": "string",
            "enum": [
              "changed",
              "missing",
              "relinked"
            ],
            "description": "changed: the entry's content no longer gives its hash; missing: positions are absent before it; relinked: its prevHash is not the previous entry's hash."
          },
          "detail": {
            "type": "string",
            "maxLength": 2000
          }
        }
      },
      "checkpoint": {
        "type": "object",
        "additionalProperties": false,
        "description": "The log compared with the last checkpoint of its head, signed with a key the database does not hold and kept in the AUDIT_CHECKPOINTS stream.",
        "required": [
          "outcome",
          "detail",
          "checkpointSeq",
          "seq",
          "hash",
          "signedAt",
          "missing"
        ],
        "properties": {
          "outcome": {
            "type": "string",
            "enum": [
              "matches",
              "truncated",
              "missing",
              "rewritten",
              "bad_signature",
              "no_checkpoint",
              "unanchored"
            ],
            "description": "matches: the entry at the signed position has the signed hash; truncated: the log ends before the signed position (entries were removed from its end); missing: the entry at the signed position is absent; rewritten: that entry has another hash; bad_signature: the checkpoint does not verify with this service's key; no_checkpoint: none was made yet; unanchored: no checkpoint key is configured, so only the chain itself was checked."
          },
          "detail": {
            "type": "string",
            "maxLength": 2000
          },
          "checkpointSeq": {
            "type": [
              "integer",
              "null"
            ],
            "description": "The checkpoint's sequence in its stream (checkpoint #n)."
          },
          "seq": {
            "type": [
              "integer",
              "null"
            ],
            "description": "The position the checkpoint signed: the head of the log when it was made."
          },
          "hash": {
            "type": [
              "string",
              "null"
            ],
            "description": "The hash the checkpoint signed for that position."
          },
          "signedAt": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          },
          "missing": {
            "type": [
              "object",
              "null"
            ],
            "additionalProperties": false,
            "required": [
              "fromSeq",
              "toSeq"
            ],
            "description": "Positions the checkpoint shows the log had and no longer has.",
            "properties": {
              "fromSeq": {
                "type": "integer"
              },
              "toSeq": {
                "type": "integer"
              }
            }
          }
        }
      }
    }
  },
  "rpc/audit.verify.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/audit.verify.v1.request.json",
    "title": "AuditVerifyRequestV1",
    "description": "Check the hash chain over a range of positions (the whole log by default).",
    "type": "object",
    "additionalProperties": false,
    "properties": {
      "fromSeq": {
        "type": "integer",
        "minimum": 1
      },
      "toSeq": {
        "type": "integer",
        "minimum": 1
      }
    }
  },
  "rpc/backup.create.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/backup.create.v1.reply.json",
    "title": "BackupCreateReplyV1",
    "description": "The backup (queued) and its operation.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "backup",
      "operation"
    ],
    "properties": {
      "backup": {
        "$ref": "../common/backup.v1.json"
      },
      "operation": {
        "$ref": "../common/operation.v1.json"
      }
    }
  },
  "rpc/backup.create.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/backup.create.v1.request.json",
    "title": "BackupCreateRequestV1",
    "description": "Take a backup of a tenant now.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "actor": {
        "type": "string",
        "maxLength": 200,
        "description": "Who asked, for the record."
      }
    }
  },
  "rpc/backup.drill.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/backup.drill.v1.reply.json",
    "title": "BackupDrillReplyV1",
    "description": "The drill operation.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "operation"
    ],
    "properties": {
      "operation": {
        "$ref": "../common/operation.v1.json"
      }
    }
  },
  "rpc/backup.drill.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/backup.drill.v1.request.json",
    "title": "BackupDrillRequestV1",
    "description": "Prove a backup: restore it into a scratch database, compare with its manifest, drop the scratch database.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "backupId"
    ],
    "properties": {
      "backupId": {
        "type": "string",
        "format": "uuid"
      },
      "actor": {
        "type": "string",
        "maxLength": 200,
        "description": "Who asked, for the record."
      }
    }
  },
  "rpc/backup.final.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/backup.final.v1.reply.json",
    "title": "BackupFinalReplyV1",
    "description": "The final backup as it is now.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "backup"
    ],
    "properties": {
      "backup": {
        "$ref": "../common/backup.v1.json"
      }
    }
  },
  "rpc/backup.final.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/backup.final.v1.request.json",
    "title": "BackupFinalRequestV1",
    "description": "The final backup of a tenant being deleted: taken once per request id (the delete operation), answered as it is now; asked again until it has succeeded.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "requestId"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "requestId": {
        "type": "string",
        "format": "uuid"
      }
    }
  },
  "rpc/backup.get.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/backup.get.v1.reply.json",
    "title": "BackupGetReplyV1",
    "description": "The backup.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "backup"
    ],
    "properties": {
      "backup": {
        "$ref": "../common/backup.v1.json"
      }
    }
  },
  "rpc/backup.get.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/backup.get.v1.request.json",
    "title": "BackupGetRequestV1",
    "description": "Look a backup up.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "backupId"
    ],
    "properties": {
      "backupId": {
        "type": "string",
        "format": "uuid"
      }
    }
  },
  "rpc/backup.list.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/backup.list.v1.reply.json",
    "title": "BackupListReplyV1",
    "description": "A page of backups.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "items",
      "nextCursor"
    ],
    "properties": {
      "items": {
        "type": "array",
        "items": {
          "$ref": "../common/backup.v1.json"
        },
        "maxItems": 200
      },
      "nextCursor": {
        "type": [
          "string",
          "null"
        ],
        "maxLength": 200
      }
    }
  },
  "rpc/backup.list.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/backup.list.v1.request.json",
    "title": "BackupListRequestV1",
    "description": "One page of a tenant's backups, newest first.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "limit"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "limit": {
        "type": "integer",
        "minimum": 1,
        "maximum": 200
      },
      "cursor": {
        "type": "string",
        "maxLength": 200
      },
      "state": {
        "type": "string",
        "enum": [
          "queued",
          "running",
          "succeeded",
          "failed"
        ]
      }
    }
  },
  "rpc/backup.move.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/backup.move.v1.reply.json",
    "title": "BackupMoveReplyV1",
    "description": "The move operation.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "operation"
    ],
    "properties": {
      "operation": {
        "$ref": "../common/operation.v1.json"
      }
    }
  },
  "rpc/backup.move.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/backup.move.v1.request.json",
    "title": "BackupMoveRequestV1",
    "description": "Move a tenant to another database server by backup and restore: onto a runtime on that server (runtimeId, for a tenant an Odoo runtime serves) or onto the server itself (databaseServerId, for a tenant on no runtime).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "runtimeId": {
        "type": "string",
        "format": "uuid"
      },
      "databaseServerId": {
        "type": "string",
        "format": "uuid"
      },
      "actor": {
        "type": "string",
        "maxLength": 200,
        "description": "Who asked, for the record."
      }
    }
  },
  "rpc/backup.operation.get.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/backup.operation.get.v1.reply.json",
    "title": "BackupOperationGetReplyV1",
    "description": "The operation.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "operation"
    ],
    "properties": {
      "operation": {
        "$ref": "../common/operation.v1.json"
      }
    }
  },
  "rpc/backup.operation.get.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/backup.operation.get.v1.request.json",
    "title": "BackupOperationGetRequestV1",
    "description": "Look up an operation of the backup service.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "operationId"
    ],
    "properties": {
      "operationId": {
        "type": "string",
        "format": "uuid"
      }
    }
  },
  "rpc/backup.operation.list.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/backup.operation.list.v1.reply.json",
    "title": "BackupOperationListReplyV1",
    "description": "A page of operations, newest first, and whether more follow the last one.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "items",
      "more"
    ],
    "properties": {
      "items": {
        "type": "array",
        "items": {
          "$ref": "../common/operation.v1.json"
        }
      },
      "more": {
        "type": "boolean"
      }
    }
  },
  "rpc/backup.operation.list.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/backup.operation.list.v1.request.json",
    "title": "BackupOperationListRequestV1",
    "description": "One page of the backup service's operations, newest first (createdAt, then id, descending). The position is given as the last item seen (`olderThan`), not as an opaque cursor, so the gateway can ask the tenant and backup services from the same place and merge their pages.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "limit"
    ],
    "properties": {
      "limit": {
        "type": "integer",
        "minimum": 1,
        "maximum": 200
      },
      "olderThan": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "createdAt",
          "id"
        ],
        "description": "Only operations after this one in the list's order: created earlier, or at the same millisecond with a smaller id.",
        "properties": {
          "createdAt": {
            "type": "string",
            "format": "date-time",
            "maxLength": 40
          },
          "id": {
            "type": "string",
            "format": "uuid"
          }
        }
      },
      "state": {
        "$ref": "../common/operation.v1.json#/properties/state"
      },
      "kind": {
        "$ref": "../common/operation.v1.json#/properties/kind"
      },
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "tenantIds": {
        "type": "array",
        "items": {
          "type": "string",
          "format": "uuid"
        },
        "maxItems": 1000,
        "description": "Only operations of these tenants (an operator limited to them)."
      }
    }
  },
  "rpc/backup.overdue.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/backup.overdue.v1.reply.json",
    "title": "BackupOverdueReplyV1",
    "description": "A page of tenants whose backups are older than their schedule allows, by tenant id, and where the next page starts.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "items",
      "nextCursor",
      "graceMinutes"
    ],
    "properties": {
      "items": {
        "type": "array",
        "items": {
          "type": "object",
          "additionalProperties": false,
          "required": [
            "tenantId",
            "slug",
            "state",
            "lastBackupAt",
            "dueAt",
            "lateSeconds"
          ],
          "properties": {
            "tenantId": {
              "type": "string",
              "format": "uuid"
            },
            "slug": {
              "type": "string",
              "description": "As the backup service last heard it from the tenant's events."
            },
            "state": {
              "type": "string",
              "enum": [
                "active",
                "suspended"
              ]
            },
            "lastBackupAt": {
              "type": [
                "string",
                "null"
              ],
              "format": "date-time",
              "description": "When the last successful scheduled or manual backup was taken; null: none yet."
            },
            "dueAt": {
              "type": "string",
              "format": "date-time",
              "description": "A day after lastBackupAt, or, with no backup, a day after the schedule took the tenant on (its first event as active or suspended)."
            },
            "lateSeconds": {
              "type": "integer",
              "minimum": 0,
              "description": "How long after dueAt the question was asked: more than the grace, or it would not be listed."
            }
          }
        }
      },
      "nextCursor": {
        "type": [
          "string",
          "null"
        ],
        "description": "Pass as cursor for the next page; null on the last page."
      },
      "graceMinutes": {
        "type": "integer",
        "minimum": 0,
        "description": "The grace after dueAt before a tenant is listed (BACKUP_OVERDUE_GRACE_MINUTES)."
      }
    }
  },
  "rpc/backup.overdue.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/backup.overdue.v1.request.json",
    "title": "BackupOverdueRequestV1",
    "description": "One page of the tenants the schedule backs up (active or suspended) whose last successful scheduled or manual backup, or, with none, the moment the schedule took them on, is older than a day plus the backup service's grace (BACKUP_OVERDUE_GRACE_MINUTES); by tenant id.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "limit"
    ],
    "properties": {
      "limit": {
        "type": "integer",
        "minimum": 1,
        "maximum": 200
      },
      "cursor": {
        "type": "string",
        "minLength": 1,
        "maxLength": 200,
        "description": "nextCursor of the previous page: the tenants after it. Opaque."
      },
      "tenantIds": {
        "type": "array",
        "items": {
          "type": "string",
          "format": "uuid"
        },
        "maxItems": 1000,
        "description": "Only these tenants (an operator limited to them)."
      }
    }
  },
  "rpc/backup.restore.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/backup.restore.v1.reply.json",
    "title": "BackupRestoreReplyV1",
    "description": "The restore operation.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "operation"
    ],
    "properties": {
      "operation": {
        "$ref": "../common/operation.v1.json"
      }
    }
  },
  "rpc/backup.restore.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/backup.restore.v1.request.json",
    "title": "BackupRestoreRequestV1",
    "description": "Restore a backup: into its own tenant (tenantId, which must be the backup's), or into a new tenant (newTenant: a staging copy on the same runtime).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "backupId"
    ],
    "properties": {
      "backupId": {
        "type": "string",
        "format": "uuid"
      },
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "newTenant": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "slug"
        ],
        "properties": {
          "slug": {
            "$ref": "../common/tenant.v1.json#/definitions/slug"
          },
          "displayName": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200,
            "pattern": "^[^\\u0000-\\u001f\\u007f]+$"
          }
        }
      },
      "actor": {
        "type": "string",
        "maxLength": 200,
        "description": "Who asked, for the record."
      }
    }
  },
  "rpc/backup.transfer.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/backup.transfer.v1.reply.json",
    "title": "BackupTransferReplyV1",
    "description": "Where to stream, for the next minute.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "path",
      "expiresAt"
    ],
    "properties": {
      "path": {
        "type": "string",
        "maxLength": 300
      },
      "expiresAt": {
        "type": "string",
        "format": "date-time"
      },
      "fileName": {
        "type": [
          "string",
          "null"
        ],
        "maxLength": 200
      }
    }
  },
  "rpc/backup.transfer.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/backup.transfer.v1.request.json",
    "title": "BackupTransferRequestV1",
    "description": "A single-use ticket for the backup service's streaming endpoint: the download of a backup in Odoo's zip format, or the upload of an Odoo zip to import as a new tenant.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "direction"
    ],
    "properties": {
      "direction": {
        "type": "string",
        "enum": [
          "download",
          "import"
        ]
      },
      "backupId": {
        "type": "string",
        "format": "uuid"
      },
      "newTenant": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "slug"
        ],
        "properties": {
          "slug": {
            "$ref": "../common/tenant.v1.json#/definitions/slug"
          },
          "displayName": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200,
            "pattern": "^[^\\u0000-\\u001f\\u007f]+$"
          },
          "sourceTenantId": {
            "type": "string",
            "format": "uuid",
            "description": "The tenant whose backup it is: the new tenant goes on its runtime and server."
          },
          "runtimeId": {
            "type": "string",
            "format": "uuid",
            "description": "For an import: the runtime to place it on."
          },
          "odooVersion": {
            "type": "string",
            "maxLength": 20,
            "description": "For an import: the Odoo series of the zip (18.0)."
          }
        }
      },
      "actor": {
        "type": "string",
        "maxLength": 200,
        "description": "Who asked, for the record."
      }
    }
  },
  "rpc/backup.window.get.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/backup.window.get.v1.reply.json",
    "title": "BackupWindowGetReplyV1",
    "description": "The tenant's backup window.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "window"
    ],
    "properties": {
      "window": {
        "$ref": "../common/backup-window.v1.json"
      }
    }
  },
  "rpc/backup.window.get.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/backup.window.get.v1.request.json",
    "title": "BackupWindowGetRequestV1",
    "description": "A tenant's backup window.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      }
    }
  },
  "rpc/backup.window.set.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/backup.window.set.v1.reply.json",
    "title": "BackupWindowSetReplyV1",
    "description": "The tenant's backup window now.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "window"
    ],
    "properties": {
      "window": {
        "$ref": "../common/backup-window.v1.json"
      }
    }
  },
  "rpc/backup.window.set.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/backup.window.set.v1.request.json",
    "title": "BackupWindowSetRequestV1",
    "description": "Set a tenant's backup window; windowStart null goes back to the derived one.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "windowStart"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "windowStart": {
        "type": [
          "string",
          "null"
        ],
        "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$",
        "description": "HH:MM UTC; null: derived from the tenant id."
      },
      "windowMinutes": {
        "type": "integer",
        "minimum": 15,
        "maximum": 1440,
        "description": "Default 240."
      },
      "actor": {
        "type": "string",
        "maxLength": 200
      }
    }
  },
  "rpc/billing.checkout.create.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/billing.checkout.create.v1.reply.json",
    "title": "BillingCheckoutCreateReplyV1",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "url"
    ],
    "properties": {
      "url": {
        "type": "string",
        "format": "uri"
      }
    }
  },
  "rpc/billing.checkout.create.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/billing.checkout.create.v1.request.json",
    "title": "BillingCheckoutCreateRequestV1",
    "description": "A checkout link for a tenant (a new subscription), when the provider API key is configured.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "provider"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "provider": {
        "$ref": "../common/billing-subscription.v1.json#/definitions/provider"
      },
      "priceId": {
        "type": "string",
        "maxLength": 200
      },
      "returnUrl": {
        "type": "string",
        "format": "uri",
        "maxLength": 2000
      }
    }
  },
  "rpc/billing.portal.create.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/billing.portal.create.v1.reply.json",
    "title": "BillingPortalCreateReplyV1",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "url"
    ],
    "properties": {
      "url": {
        "type": "string",
        "format": "uri"
      }
    }
  },
  "rpc/billing.portal.create.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/billing.portal.create.v1.request.json",
    "title": "BillingPortalCreateRequestV1",
    "description": "A customer-portal link for a tenant's customer, when the provider API key is configured.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "provider"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "provider": {
        "$ref": "../common/billing-subscription.v1.json#/definitions/provider"
      },
      "priceId": {
        "type": "string",
        "maxLength": 200
      },
      "returnUrl": {
        "type": "string",
        "format": "uri",
        "maxLength": 2000
      }
    }
  },
  "rpc/billing.subscriptions.get.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/billing.subscriptions.get.v1.reply.json",
    "title": "BillingSubscriptionsGetReplyV1",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "items"
    ],
    "properties": {
      "items": {
        "type": "array",
        "items": {
          "$ref": "../common/billing-subscription.v1.json"
        }
      }
    }
  },
  "rpc/billing.subscriptions.get.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/billing.subscriptions.get.v1.request.json",
    "title": "BillingSubscriptionsGetRequestV1",
    "description": "The subscriptions of one tenant.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      }
    }
  },
  "rpc/billing.webhooks.list.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/billing.webhooks.list.v1.reply.json",
    "title": "BillingWebhooksListReplyV1",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "items",
      "nextCursor"
    ],
    "properties": {
      "items": {
        "type": "array",
        "items": {
          "type": "object",
          "additionalProperties": false,
          "required": [
            "id",
            "provider",
            "providerEventId",
            "providerEventType",
            "status",
            "tenantId",
            "receivedAt",
            "detail"
          ],
          "properties": {
            "id": {
              "type": "string",
              "maxLength": 300
            },
            "provider": {
              "$ref": "../common/billing-subscription.v1.json#/definitions/provider"
            },
            "providerEventId": {
              "type": [
                "string",
                "null"
              ],
              "maxLength": 200
            },
            "providerEventType": {
              "type": [
                "string",
                "null"
              ],
              "maxLength": 200
            },
            "status": {
              "$ref": "billing.webhooks.list.v1.request.json#/definitions/status"
            },
            "tenantId": {
              "type": [
                "string",
                "null"
              ],
              "maxLength": 64
            },
            "receivedAt": {
              "type": "string",
              "format": "date-time"
            },
            "detail": {
              "type": [
                "string",
                "null"
              ],
              "maxLength": 2000
            }
          }
        }
      },
      "nextCursor": {
        "type": [
          "string",
          "null"
        ]
      }
    }
  },
  "rpc/billing.webhooks.list.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/billing.webhooks.list.v1.request.json",
    "title": "BillingWebhooksListRequestV1",
    "description": "The webhook history, newest first.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "limit"
    ],
    "properties": {
      "limit": {
        "type": "integer",
        "minimum": 1,
        "maximum": 500
      },
      "cursor": {
        "type": "string",
        "maxLength": 200
      },
      "provider": {
        "$ref": "../common/billing-subscription.v1.json#/definitions/provider"
      },
      "status": {
        "$ref": "#/definitions/status"
      },
      "tenantId": {
        "type": "string",
        "format": "uuid"
      }
    },
    "definitions": {
      "status": {
        "type": "string",
        "enum": [
          "applied",
          "duplicate",
          "rejected",
          "unmatched",
          "ignored",
          "failed"
        ],
        "description": "applied: changed a subscription (or confirmed it); duplicate: the same provider event again; rejected: refused at the door; unmatched: no known tenant (kept, reported); ignored: a type the platform does not use; failed: could not be read.",
        "title": "BillingWebhookStatus"
      }
    }
  },
  "rpc/operation.get.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/operation.get.v1.reply.json",
    "title": "OperationGetReplyV1",
    "description": "One operation.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "operation"
    ],
    "properties": {
      "operation": {
        "$ref": "../common/operation.v1.json"
      }
    }
  },
  "rpc/operation.get.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/operation.get.v1.request.json",
    "title": "OperationGetRequestV1",
    "description": "Look an operation up.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "operationId"
    ],
    "properties": {
      "operationId": {
        "type": "string",
        "format": "uuid"
      }
    }
  },
  "rpc/operation.list.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/operation.list.v1.reply.json",
    "title": "OperationListReplyV1",
    "description": "A page of operations, newest first, and whether more follow the last one.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "items",
      "more"
    ],
    "properties": {
      "items": {
        "type": "array",
        "items": {
          "$ref": "../common/operation.v1.json"
        }
      },
      "more": {
        "type": "boolean"
      }
    }
  },
  "rpc/operation.list.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/operation.list.v1.request.json",
    "title": "OperationListRequestV1",
    "description": "One page of the tenant service's operations, newest first (createdAt, then id, descending). The position is given as the last item seen (`olderThan`), not as an opaque cursor, so the gateway can ask the tenant and backup services from the same place and merge their pages.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "limit"
    ],
    "properties": {
      "limit": {
        "type": "integer",
        "minimum": 1,
        "maximum": 200
      },
      "olderThan": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "createdAt",
          "id"
        ],
        "description": "Only operations after this one in the list's order: created earlier, or at the same millisecond with a smaller id.",
        "properties": {
          "createdAt": {
            "type": "string",
            "format": "date-time",
            "maxLength": 40
          },
          "id": {
            "type": "string",
            "format": "uuid"
          }
        }
      },
      "state": {
        "$ref": "../common/operation.v1.json#/properties/state"
      },
      "kind": {
        "$ref": "../common/operation.v1.json#/properties/kind"
      },
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "tenantIds": {
        "type": "array",
        "items": {
          "type": "string",
          "format": "uuid"
        },
        "maxItems": 1000,
        "description": "Only operations of these tenants (an operator limited to them)."
      }
    }
  },
  "rpc/quota.measure.now.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/quota.measure.now.v1.reply.json",
    "title": "QuotaMeasureNowReplyV1",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "sample"
    ],
    "properties": {
      "sample": {
        "$ref": "../common/usage-sample.v1.json"
      }
    }
  },
  "rpc/quota.measure.now.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/quota.measure.now.v1.request.json",
    "title": "QuotaMeasureNowRequestV1",
    "description": "Measure one tenant now, out of the schedule.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      }
    }
  },
  "rpc/quota.module.check.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/quota.module.check.v1.reply.json",
    "title": "QuotaModuleCheckReplyV1",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "allowed"
    ],
    "properties": {
      "allowed": {
        "type": "boolean"
      },
      "reason": {
        "type": "string",
        "enum": [
          "not_in_plan",
          "over_quota"
        ]
      }
    }
  },
  "rpc/quota.module.check.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/quota.module.check.v1.request.json",
    "title": "QuotaModuleCheckRequestV1",
    "description": "Whether a tenant may install a module now, as the quota service sees it.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "module"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "module": {
        "$ref": "../common/tenant.v1.json#/definitions/moduleName"
      }
    }
  },
  "rpc/quota.overrides.delete.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/quota.overrides.delete.v1.reply.json",
    "title": "QuotaOverridesDeleteReplyV1",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "quota"
    ],
    "properties": {
      "quota": {
        "$ref": "../common/tenant-quota.v1.json"
      }
    }
  },
  "rpc/quota.overrides.delete.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/quota.overrides.delete.v1.request.json",
    "title": "QuotaOverridesDeleteRequestV1",
    "description": "Remove a tenant's override: its plan's limits apply again.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      }
    }
  },
  "rpc/quota.overrides.put.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/quota.overrides.put.v1.reply.json",
    "title": "QuotaOverridesPutReplyV1",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "quota"
    ],
    "properties": {
      "quota": {
        "$ref": "../common/tenant-quota.v1.json"
      }
    }
  },
  "rpc/quota.overrides.put.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/quota.overrides.put.v1.request.json",
    "title": "QuotaOverridesPutRequestV1",
    "description": "Set a tenant's override: the limits given replace the plan's; allowedModules, when present, replaces the plan's list (null: any module).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "limits"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "limits": {
        "$ref": "../common/plan.v1.json#/definitions/partialLimits"
      },
      "allowedModules": {
        "$ref": "../common/plan.v1.json#/definitions/moduleList"
      }
    }
  },
  "rpc/quota.plans.delete.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/quota.plans.delete.v1.reply.json",
    "title": "QuotaPlansDeleteReplyV1",
    "type": "object",
    "additionalProperties": false,
    "required": [],
    "properties": {}
  },
  "rpc/quota.plans.delete.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/quota.plans.delete.v1.request.json",
    "title": "QuotaPlansDeleteRequestV1",
    "description": "Delete a plan no tenant is on (PLAN_IN_USE otherwise).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "name"
    ],
    "properties": {
      "name": {
        "$ref": "../common/tenant.v1.json#/definitions/plan"
      }
    }
  },
  "rpc/quota.plans.get.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/quota.plans.get.v1.reply.json",
    "title": "QuotaPlansGetReplyV1",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "plan"
    ],
    "properties": {
      "plan": {
        "$ref": "../common/plan.v1.json"
      }
    }
  },
  "rpc/quota.plans.get.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/quota.plans.get.v1.request.json",
    "title": "QuotaPlansGetRequestV1",
    "description": "One plan by name.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "name"
    ],
    "properties": {
      "name": {
        "$ref": "../common/tenant.v1.json#/definitions/plan"
      }
    }
  },
  "rpc/quota.plans.list.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/quota.plans.list.v1.reply.json",
    "title": "QuotaPlansListReplyV1",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "items"
    ],
    "properties": {
      "items": {
        "type": "array",
        "items": {
          "$ref": "../common/plan.v1.json"
        },
        "maxItems": 200
      },
      "next": {
        "type": "string",
        "maxLength": 32,
        "description": "Absent on the last page."
      }
    },
    "description": "A page of plans."
  },
  "rpc/quota.plans.list.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/quota.plans.list.v1.request.json",
    "title": "QuotaPlansListRequestV1",
    "description": "One page of the plan catalog, by name.",
    "type": "object",
    "additionalProperties": false,
    "required": [],
    "properties": {
      "after": {
        "type": "string",
        "maxLength": 32,
        "description": "`next` of the previous page: the plans after this name."
      },
      "limit": {
        "type": "integer",
        "minimum": 1,
        "maximum": 200
      }
    }
  },
  "rpc/quota.plans.put.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/quota.plans.put.v1.reply.json",
    "title": "QuotaPlansPutReplyV1",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "plan",
      "created"
    ],
    "properties": {
      "plan": {
        "$ref": "../common/plan.v1.json"
      },
      "created": {
        "type": "boolean"
      }
    }
  },
  "rpc/quota.plans.put.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/quota.plans.put.v1.request.json",
    "title": "QuotaPlansPutRequestV1",
    "description": "Create or replace a plan. A limit below a tenant's current usage is refused (PLAN_LIMIT_BELOW_USAGE) unless `force`.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "plan"
    ],
    "properties": {
      "plan": {
        "$ref": "../common/plan.v1.json#/definitions/input"
      },
      "force": {
        "type": "boolean"
      }
    }
  },
  "rpc/quota.tenant.get.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/quota.tenant.get.v1.reply.json",
    "title": "QuotaTenantGetReplyV1",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "quota"
    ],
    "properties": {
      "quota": {
        "$ref": "../common/tenant-quota.v1.json"
      }
    }
  },
  "rpc/quota.tenant.get.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/quota.tenant.get.v1.request.json",
    "title": "QuotaTenantGetRequestV1",
    "description": "A tenant's quota status.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      }
    }
  },
  "rpc/quota.trial.put.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/quota.trial.put.v1.reply.json",
    "title": "QuotaTrialPutReplyV1",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "quota"
    ],
    "properties": {
      "quota": {
        "$ref": "../common/tenant-quota.v1.json"
      }
    }
  },
  "rpc/quota.trial.put.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/quota.trial.put.v1.request.json",
    "title": "QuotaTrialPutRequestV1",
    "description": "Start a tenant's trial, or move its end (extend). An end in the past is refused (TRIAL_END_IN_PAST).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "endsAt"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "endsAt": {
        "type": "string",
        "format": "date-time"
      }
    }
  },
  "rpc/quota.usage.history.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/quota.usage.history.v1.reply.json",
    "title": "QuotaUsageHistoryReplyV1",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "items"
    ],
    "properties": {
      "items": {
        "type": "array",
        "items": {
          "$ref": "../common/usage-sample.v1.json"
        },
        "maxItems": 1000
      },
      "next": {
        "type": "string",
        "maxLength": 200,
        "description": "Absent on the last page."
      }
    },
    "description": "A page of usage samples."
  },
  "rpc/quota.usage.history.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/quota.usage.history.v1.request.json",
    "title": "QuotaUsageHistoryRequestV1",
    "description": "One page of a tenant's usage samples, newest first.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "after": {
        "type": "string",
        "minLength": 1,
        "maxLength": 200,
        "description": "`next` of the previous page. Opaque."
      },
      "limit": {
        "type": "integer",
        "minimum": 1,
        "maximum": 1000
      },
      "since": {
        "type": "string",
        "format": "date-time",
        "description": "Only samples measured at or after this time."
      }
    }
  },
  "rpc/tenant.backup.source.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.backup.source.v1.reply.json",
    "title": "TenantBackupSourceReplyV1",
    "description": "The tenant and its database.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenant",
      "target"
    ],
    "properties": {
      "tenant": {
        "$ref": "../common/tenant.v1.json"
      },
      "target": {
        "$ref": "../common/restore-target.v1.json"
      }
    }
  },
  "rpc/tenant.backup.source.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.backup.source.v1.request.json",
    "title": "TenantBackupSourceRequestV1",
    "description": "Where a tenant's database and filestore are, to back them up.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      }
    }
  },
  "rpc/tenant.create.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.create.v1.reply.json",
    "title": "TenantCreateReplyV1",
    "description": "The tenant (state pending), its provisioning operation and, when the platform generated it, the administrator's password (shown once).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenant",
      "operation"
    ],
    "properties": {
      "tenant": {
        "$ref": "../common/tenant.v1.json"
      },
      "operation": {
        "$ref": "../common/operation.v1.json"
      },
      "adminPassword": {
        "type": "string",
        "description": "The generated administrator password: answered once, when none was given, and never stored in clear."
      }
    }
  },
  "rpc/tenant.create.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.create.v1.request.json",
    "title": "TenantCreateRequestV1",
    "description": "Register a tenant and queue its provisioning.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "slug",
      "displayName",
      "plan"
    ],
    "properties": {
      "slug": {
        "$ref": "../common/tenant.v1.json#/definitions/slug"
      },
      "displayName": {
        "type": "string",
        "minLength": 1,
        "maxLength": 200,
        "pattern": "^[^\\u0000-\\u001f\\u007f]+$",
        "description": "A name to show: 1 to 200 characters, no control characters."
      },
      "plan": {
        "$ref": "../common/tenant.v1.json#/definitions/plan"
      },
      "idempotencyKey": {
        "type": "string",
        "minLength": 1,
        "maxLength": 300
      },
      "requestHash": {
        "type": "string",
        "maxLength": 128
      },
      "actor": {
        "type": "string",
        "maxLength": 200,
        "description": "Who asked, for the record."
      },
      "adminLogin": {
        "$ref": "../common/tenant.v1.json#/definitions/adminLogin"
      },
      "adminPassword": {
        "type": "string",
        "minLength": 8,
        "maxLength": 200,
        "description": "The administrator's password; one is generated (and answered once) when none is given."
      },
      "companyName": {
        "$ref": "../common/tenant.v1.json#/definitions/companyName"
      },
      "runtimeId": {
        "type": "string",
        "format": "uuid",
        "description": "Place the tenant on this runtime instead of the one the placement rule picks."
      },
      "odooVersion": {
        "$ref": "../common/runtime.v1.json#/definitions/odooVersion"
      }
    }
  },
  "rpc/tenant.delete.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.delete.v1.reply.json",
    "title": "TenantDeleteReplyV1",
    "description": "The tenant and the queued operation.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenant",
      "operation"
    ],
    "properties": {
      "tenant": {
        "$ref": "../common/tenant.v1.json"
      },
      "operation": {
        "$ref": "../common/operation.v1.json"
      }
    }
  },
  "rpc/tenant.delete.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.delete.v1.request.json",
    "title": "TenantDeleteRequestV1",
    "description": "Delete a tenant: its database and role are dropped (queues an operation).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "actor": {
        "type": "string",
        "maxLength": 200,
        "description": "Who asked, for the record."
      }
    }
  },
  "rpc/tenant.domains.add.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.domains.add.v1.reply.json",
    "title": "TenantDomainsAddReplyV1",
    "description": "The claim, with the TXT record that verifies it; created is false when the tenant had already claimed the domain.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "domain",
      "created"
    ],
    "properties": {
      "domain": {
        "$ref": "../common/tenant-domain.v1.json"
      },
      "created": {
        "type": "boolean"
      }
    }
  },
  "rpc/tenant.domains.add.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.domains.add.v1.request.json",
    "title": "TenantDomainsAddRequestV1",
    "description": "Claim a custom domain for a tenant: answers the DNS TXT record to create. Claiming again a domain the tenant already claimed answers the same claim.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "domain"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "domain": {
        "$ref": "../common/tenant-domain.v1.json#/definitions/domainInput"
      },
      "actor": {
        "type": "string",
        "maxLength": 200,
        "description": "Who asked, for the record."
      }
    }
  },
  "rpc/tenant.domains.list.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.domains.list.v1.reply.json",
    "title": "TenantDomainsListReplyV1",
    "description": "The tenant's custom domains, in name order.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "domains"
    ],
    "properties": {
      "domains": {
        "type": "array",
        "items": {
          "$ref": "../common/tenant-domain.v1.json"
        }
      }
    }
  },
  "rpc/tenant.domains.list.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.domains.list.v1.request.json",
    "title": "TenantDomainsListRequestV1",
    "description": "The custom domains of a tenant, verified or not.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      }
    }
  },
  "rpc/tenant.domains.remove.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.domains.remove.v1.reply.json",
    "title": "TenantDomainsRemoveReplyV1",
    "description": "The removed domain as it was.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "domain"
    ],
    "properties": {
      "domain": {
        "$ref": "../common/tenant-domain.v1.json"
      }
    }
  },
  "rpc/tenant.domains.remove.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.domains.remove.v1.request.json",
    "title": "TenantDomainsRemoveRequestV1",
    "description": "Remove a custom domain from a tenant, verified or not: it no longer routes to the tenant.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "domain"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "domain": {
        "$ref": "../common/tenant-domain.v1.json#/definitions/domainInput"
      },
      "actor": {
        "type": "string",
        "maxLength": 200,
        "description": "Who asked, for the record."
      }
    }
  },
  "rpc/tenant.domains.verify.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.domains.verify.v1.reply.json",
    "title": "TenantDomainsVerifyReplyV1",
    "description": "The verified domain.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "domain"
    ],
    "properties": {
      "domain": {
        "$ref": "../common/tenant-domain.v1.json"
      }
    }
  },
  "rpc/tenant.domains.verify.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.domains.verify.v1.request.json",
    "title": "TenantDomainsVerifyRequestV1",
    "description": "Look the claim's TXT record up in DNS; found, the domain routes to the tenant. Verifying a verified domain answers it as it is.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "domain"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "domain": {
        "$ref": "../common/tenant-domain.v1.json#/definitions/domainInput"
      },
      "actor": {
        "type": "string",
        "maxLength": 200,
        "description": "Who asked, for the record."
      }
    }
  },
  "rpc/tenant.duplicate.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.duplicate.v1.reply.json",
    "title": "TenantDuplicateReplyV1",
    "description": "The new tenant (state pending) and the operation that copies it.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenant",
      "operation"
    ],
    "properties": {
      "tenant": {
        "$ref": "../common/tenant.v1.json"
      },
      "operation": {
        "$ref": "../common/operation.v1.json"
      }
    }
  },
  "rpc/tenant.duplicate.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.duplicate.v1.request.json",
    "title": "TenantDuplicateRequestV1",
    "description": "Make a staging copy of a tenant: a new tenant with its own database, uuid, secret and filestore, neutralised (no mail, no scheduled actions) unless told otherwise.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "slug"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "slug": {
        "$ref": "../common/tenant.v1.json#/definitions/slug"
      },
      "displayName": {
        "type": "string",
        "minLength": 1,
        "maxLength": 200,
        "pattern": "^[^\\u0000-\\u001f\\u007f]+$"
      },
      "neutralize": {
        "type": "boolean",
        "description": "Neutralise the copy as Odoo does (default true)."
      },
      "actor": {
        "type": "string",
        "maxLength": 200,
        "description": "Who asked, for the record."
      }
    }
  },
  "rpc/tenant.get.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.get.v1.reply.json",
    "title": "TenantGetReplyV1",
    "description": "One tenant.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenant"
    ],
    "properties": {
      "tenant": {
        "$ref": "../common/tenant.v1.json"
      }
    }
  },
  "rpc/tenant.get.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.get.v1.request.json",
    "title": "TenantGetRequestV1",
    "description": "Look a tenant up by id or slug.",
    "type": "object",
    "additionalProperties": false,
    "required": [],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "slug": {
        "type": "string",
        "maxLength": 64
      }
    }
  },
  "rpc/tenant.list.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.list.v1.reply.json",
    "title": "TenantListReplyV1",
    "description": "A page of tenants and the cursor of the next page (null on the last).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "items",
      "nextCursor"
    ],
    "properties": {
      "items": {
        "type": "array",
        "items": {
          "$ref": "../common/tenant.v1.json"
        }
      },
      "nextCursor": {
        "type": [
          "string",
          "null"
        ]
      }
    }
  },
  "rpc/tenant.list.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.list.v1.request.json",
    "title": "TenantListRequestV1",
    "description": "One page of tenants in the order asked (newest first by default).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "limit"
    ],
    "properties": {
      "limit": {
        "type": "integer",
        "minimum": 1,
        "maximum": 200
      },
      "cursor": {
        "type": "string",
        "maxLength": 1500
      },
      "state": {
        "$ref": "../common/tenant.v1.json#/definitions/state"
      },
      "plan": {
        "$ref": "../common/tenant.v1.json#/definitions/plan"
      },
      "slugPrefix": {
        "type": "string",
        "maxLength": 32
      },
      "includeDeleted": {
        "type": "boolean"
      },
      "tenantIds": {
        "type": "array",
        "items": {
          "type": "string",
          "format": "uuid"
        },
        "maxItems": 1000,
        "description": "Only these tenants (an operator limited to them)."
      },
      "ids": {
        "type": "array",
        "items": {
          "type": "string",
          "format": "uuid"
        },
        "minItems": 1,
        "maxItems": 100,
        "description": "Exactly these tenants, deleted ones included (the names of tenants a table shows). Within tenantIds when both are given: the list is the intersection, never wider than the scope."
      },
      "sort": {
        "$ref": "../common/tenant.v1.json#/definitions/listSort"
      },
      "q": {
        "$ref": "../common/tenant.v1.json#/definitions/searchText"
      },
      "runtimeId": {
        "type": "string",
        "format": "uuid",
        "description": "Only tenants served by this Odoo runtime."
      }
    }
  },
  "rpc/tenant.module.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.module.v1.reply.json",
    "title": "TenantModuleReplyV1",
    "description": "The tenant and the module operation.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenant",
      "operation"
    ],
    "properties": {
      "tenant": {
        "$ref": "../common/tenant.v1.json"
      },
      "operation": {
        "$ref": "../common/operation.v1.json"
      }
    }
  },
  "rpc/tenant.module.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.module.v1.request.json",
    "title": "TenantModuleRequestV1",
    "description": "Install, upgrade or uninstall one Odoo module of a tenant (queues an operation).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "module",
      "action"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "module": {
        "$ref": "../common/tenant.v1.json#/definitions/moduleName"
      },
      "action": {
        "type": "string",
        "enum": [
          "install",
          "upgrade",
          "uninstall"
        ]
      },
      "actor": {
        "type": "string",
        "maxLength": 200,
        "description": "Who asked, for the record."
      }
    }
  },
  "rpc/tenant.modules.list.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.modules.list.v1.reply.json",
    "title": "TenantModulesListReplyV1",
    "description": "A page of modules and the cursor of the next page (null on the last).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "items",
      "nextCursor"
    ],
    "properties": {
      "items": {
        "type": "array",
        "items": {
          "$ref": "#/definitions/module"
        }
      },
      "nextCursor": {
        "type": [
          "string",
          "null"
        ]
      }
    },
    "definitions": {
      "module": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "name",
          "state"
        ],
        "properties": {
          "name": {
            "type": "string",
            "maxLength": 128
          },
          "state": {
            "type": "string",
            "enum": [
              "uninstalled",
              "installed",
              "to upgrade",
              "to remove",
              "to install",
              "uninstallable"
            ]
          },
          "shortdesc": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 500
          },
          "latestVersion": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 64
          },
          "installedVersion": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 64
          },
          "application": {
            "type": "boolean"
          },
          "autoInstall": {
            "type": "boolean"
          }
        }
      }
    }
  },
  "rpc/tenant.modules.list.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.modules.list.v1.request.json",
    "title": "TenantModulesListRequestV1",
    "description": "One page of a tenant's Odoo modules, by name, read from its runtime.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "limit"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "limit": {
        "type": "integer",
        "minimum": 1,
        "maximum": 500
      },
      "cursor": {
        "type": "string",
        "maxLength": 200
      },
      "state": {
        "type": "string",
        "enum": [
          "uninstalled",
          "installed",
          "to upgrade",
          "to remove",
          "to install",
          "uninstallable"
        ]
      },
      "search": {
        "type": "string",
        "maxLength": 64,
        "description": "Only modules whose name contains this."
      }
    }
  },
  "rpc/tenant.rename.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.rename.v1.reply.json",
    "title": "TenantRenameReplyV1",
    "description": "The tenant and the rename operation.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenant",
      "operation"
    ],
    "properties": {
      "tenant": {
        "$ref": "../common/tenant.v1.json"
      },
      "operation": {
        "$ref": "../common/operation.v1.json"
      }
    }
  },
  "rpc/tenant.rename.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.rename.v1.request.json",
    "title": "TenantRenameRequestV1",
    "description": "Rename a tenant: its slug, database and filestore directory change together.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "slug"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "slug": {
        "$ref": "../common/tenant.v1.json#/definitions/slug"
      },
      "actor": {
        "type": "string",
        "maxLength": 200,
        "description": "Who asked, for the record."
      }
    }
  },
  "rpc/tenant.restore.begin.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.restore.begin.v1.reply.json",
    "title": "TenantRestoreBeginReplyV1",
    "description": "The tenant, now restoring, and where its database goes.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenant",
      "target"
    ],
    "properties": {
      "tenant": {
        "$ref": "../common/tenant.v1.json"
      },
      "target": {
        "$ref": "../common/restore-target.v1.json"
      }
    }
  },
  "rpc/tenant.restore.begin.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.restore.begin.v1.request.json",
    "title": "TenantRestoreBeginRequestV1",
    "description": "Hand a tenant to the backup service for a restore: an existing tenant (tenantId) goes to state restoring; a new tenant (newTenant) is registered in state restoring, its database to be made by the restore. With `move`, an existing tenant goes to state migrating, its database shut, and the target is on the other server. Idempotent per restoreId.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "restoreId"
    ],
    "properties": {
      "restoreId": {
        "type": "string",
        "format": "uuid"
      },
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "newTenant": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "slug"
        ],
        "properties": {
          "slug": {
            "$ref": "../common/tenant.v1.json#/definitions/slug"
          },
          "displayName": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200,
            "pattern": "^[^\\u0000-\\u001f\\u007f]+$"
          },
          "sourceTenantId": {
            "type": "string",
            "format": "uuid",
            "description": "The tenant whose backup it is: the new tenant goes on its runtime and server."
          },
          "runtimeId": {
            "type": "string",
            "format": "uuid",
            "description": "For an import: the runtime to place it on."
          },
          "odooVersion": {
            "type": "string",
            "maxLength": 20,
            "description": "For an import: the Odoo series of the zip (18.0)."
          }
        }
      },
      "actor": {
        "type": "string",
        "maxLength": 200,
        "description": "Who asked, for the record."
      },
      "move": {
        "type": "object",
        "additionalProperties": false,
        "properties": {
          "runtimeId": {
            "type": "string",
            "format": "uuid"
          },
          "databaseServerId": {
            "type": "string",
            "format": "uuid"
          }
        },
        "description": "Restore the tenant onto another database server (a runtime there, or the server) instead of in place."
      }
    }
  },
  "rpc/tenant.restore.end.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.restore.end.v1.reply.json",
    "title": "TenantRestoreEndReplyV1",
    "description": "The tenant after the restore.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenant"
    ],
    "properties": {
      "tenant": {
        "$ref": "../common/tenant.v1.json"
      }
    }
  },
  "rpc/tenant.restore.end.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.restore.end.v1.request.json",
    "title": "TenantRestoreEndRequestV1",
    "description": "The restore of a tenant ended: restored (its database and filestore replaced, or made) or failed (left as it was).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "restoreId",
      "tenantId",
      "outcome"
    ],
    "properties": {
      "restoreId": {
        "type": "string",
        "format": "uuid"
      },
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "outcome": {
        "type": "string",
        "enum": [
          "restored",
          "failed"
        ]
      },
      "backupId": {
        "type": "string",
        "format": "uuid"
      },
      "error": {
        "type": "string",
        "maxLength": 2000
      },
      "actor": {
        "type": "string",
        "maxLength": 200,
        "description": "Who asked, for the record."
      }
    }
  },
  "rpc/tenant.resume.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.resume.v1.reply.json",
    "title": "TenantResumeReplyV1",
    "description": "The tenant and the queued operation.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenant",
      "operation"
    ],
    "properties": {
      "tenant": {
        "$ref": "../common/tenant.v1.json"
      },
      "operation": {
        "$ref": "../common/operation.v1.json"
      }
    }
  },
  "rpc/tenant.resume.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.resume.v1.request.json",
    "title": "TenantResumeRequestV1",
    "description": "Resume a tenant for one reason (queues an operation).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "reason"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "reason": {
        "$ref": "../common/tenant.v1.json#/definitions/suspensionReason"
      },
      "actor": {
        "type": "string",
        "maxLength": 200,
        "description": "Who asked, for the record."
      }
    }
  },
  "rpc/tenant.retry.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.retry.v1.reply.json",
    "title": "TenantRetryReplyV1",
    "description": "The tenant and the queued operation.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenant",
      "operation"
    ],
    "properties": {
      "tenant": {
        "$ref": "../common/tenant.v1.json"
      },
      "operation": {
        "$ref": "../common/operation.v1.json"
      }
    }
  },
  "rpc/tenant.retry.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.retry.v1.request.json",
    "title": "TenantRetryRequestV1",
    "description": "Provision a tenant whose provisioning failed again (queues an operation).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "actor": {
        "type": "string",
        "maxLength": 200,
        "description": "Who asked, for the record."
      }
    }
  },
  "rpc/tenant.routes.get.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.routes.get.v1.reply.json",
    "title": "TenantRoutesGetReplyV1",
    "description": "The tenant's route; null when the tenant does not exist or has no database to route to (pending, provisioning, failed, deleting, deleted).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "route"
    ],
    "properties": {
      "route": {
        "oneOf": [
          {
            "type": "null"
          },
          {
            "$ref": "../common/route.v1.json"
          }
        ]
      }
    }
  },
  "rpc/tenant.routes.get.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.routes.get.v1.request.json",
    "title": "TenantRoutesGetRequestV1",
    "description": "The route of one tenant.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      }
    }
  },
  "rpc/tenant.routes.list.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.routes.list.v1.reply.json",
    "title": "TenantRoutesListReplyV1",
    "description": "A page of routes; next is there when more follow.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "routes"
    ],
    "properties": {
      "routes": {
        "type": "array",
        "items": {
          "$ref": "../common/route.v1.json"
        }
      },
      "next": {
        "type": "string",
        "maxLength": 200
      }
    }
  },
  "rpc/tenant.routes.list.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.routes.list.v1.request.json",
    "title": "TenantRoutesListRequestV1",
    "description": "One page of the routes of every tenant that has a database to route to (active, suspended, restoring, migrating), in tenant-id order.",
    "type": "object",
    "additionalProperties": false,
    "required": [],
    "properties": {
      "after": {
        "type": "string",
        "maxLength": 200,
        "description": "The next value of the previous page: the page starts after it."
      },
      "limit": {
        "type": "integer",
        "minimum": 1,
        "maximum": 1000,
        "description": "At most this many routes (500 when left out)."
      }
    }
  },
  "rpc/tenant.runtime.disable.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.runtime.disable.v1.reply.json",
    "title": "TenantRuntimeDisableReplyV1",
    "description": "The disabled runtime.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "runtime"
    ],
    "properties": {
      "runtime": {
        "$ref": "../common/runtime.v1.json"
      }
    }
  },
  "rpc/tenant.runtime.disable.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.runtime.disable.v1.request.json",
    "title": "TenantRuntimeDisableRequestV1",
    "description": "Disable a runtime: it takes no new tenants; its tenants stay where they are.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "runtimeId"
    ],
    "properties": {
      "runtimeId": {
        "type": "string",
        "format": "uuid"
      },
      "actor": {
        "type": "string",
        "maxLength": 200,
        "description": "Who asked, for the record."
      }
    }
  },
  "rpc/tenant.runtime.get.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.runtime.get.v1.reply.json",
    "title": "TenantRuntimeGetReplyV1",
    "description": "The runtime.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "runtime"
    ],
    "properties": {
      "runtime": {
        "$ref": "../common/runtime.v1.json"
      }
    }
  },
  "rpc/tenant.runtime.get.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.runtime.get.v1.request.json",
    "title": "TenantRuntimeGetRequestV1",
    "description": "One runtime by id or name.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "runtime"
    ],
    "properties": {
      "runtime": {
        "type": "string",
        "minLength": 1,
        "maxLength": 64,
        "description": "Its id or name."
      }
    }
  },
  "rpc/tenant.runtime.list.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.runtime.list.v1.reply.json",
    "title": "TenantRuntimeListReplyV1",
    "description": "A page of runtimes and the cursor of the next page (null on the last).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "items",
      "nextCursor"
    ],
    "properties": {
      "items": {
        "type": "array",
        "items": {
          "$ref": "../common/runtime.v1.json"
        }
      },
      "nextCursor": {
        "type": [
          "string",
          "null"
        ]
      }
    }
  },
  "rpc/tenant.runtime.list.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.runtime.list.v1.request.json",
    "title": "TenantRuntimeListRequestV1",
    "description": "One page of runtimes, oldest first.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "limit"
    ],
    "properties": {
      "limit": {
        "type": "integer",
        "minimum": 1,
        "maximum": 200
      },
      "cursor": {
        "type": "string",
        "maxLength": 200
      },
      "includeDisabled": {
        "type": "boolean"
      }
    }
  },
  "rpc/tenant.runtime.modules.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.runtime.modules.v1.reply.json",
    "title": "TenantRuntimeModulesReplyV1",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "odooVersion",
      "runtimeId",
      "modules"
    ],
    "properties": {
      "odooVersion": {
        "$ref": "../common/runtime.v1.json#/definitions/odooVersion"
      },
      "runtimeId": {
        "type": "string",
        "format": "uuid"
      },
      "modules": {
        "type": "array",
        "items": {
          "type": "string",
          "maxLength": 128
        },
        "maxItems": 20000
      }
    }
  },
  "rpc/tenant.runtime.modules.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.runtime.modules.v1.request.json",
    "title": "TenantRuntimeModulesRequestV1",
    "description": "The technical names of every module an Odoo version offers, read from the template database of a ready runtime of that version.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "odooVersion"
    ],
    "properties": {
      "odooVersion": {
        "$ref": "../common/runtime.v1.json#/definitions/odooVersion"
      }
    }
  },
  "rpc/tenant.runtime.register.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.runtime.register.v1.reply.json",
    "title": "TenantRuntimeRegisterReplyV1",
    "description": "The registered runtime (state preparing).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "runtime"
    ],
    "properties": {
      "runtime": {
        "$ref": "../common/runtime.v1.json"
      }
    }
  },
  "rpc/tenant.runtime.register.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.runtime.register.v1.request.json",
    "title": "TenantRuntimeRegisterRequestV1",
    "description": "Register an Odoo runtime: its version and master password are checked against the runtime first, then its template is prepared through it.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "name",
      "odooVersion",
      "rpcUrl",
      "masterPassword",
      "dbRole",
      "filestorePath"
    ],
    "properties": {
      "name": {
        "$ref": "../common/runtime.v1.json#/definitions/name"
      },
      "odooVersion": {
        "$ref": "../common/runtime.v1.json#/definitions/odooVersion"
      },
      "rpcUrl": {
        "type": "string",
        "minLength": 8,
        "maxLength": 500,
        "pattern": "^https?://[^\\s]+$"
      },
      "websocketUrl": {
        "type": "string",
        "minLength": 8,
        "maxLength": 500,
        "pattern": "^https?://[^\\s]+$",
        "description": "The address of the runtime's gevent port (Odoo's gevent_port, for /websocket and /longpolling/); the rpcUrl's host with port 8072 when left out."
      },
      "masterPassword": {
        "type": "string",
        "minLength": 1,
        "maxLength": 500
      },
      "databaseServerId": {
        "type": "string",
        "format": "uuid",
        "description": "The database server the runtime's Odoo connects to; the default server when left out."
      },
      "dbRole": {
        "$ref": "../common/runtime.v1.json#/definitions/dbRole"
      },
      "filestorePath": {
        "type": "string",
        "minLength": 1,
        "maxLength": 500,
        "pattern": "^/[^\\u0000]*$",
        "description": "Absolute path of the runtime's <data_dir>/filestore as the tenant service sees it."
      },
      "maxTenants": {
        "type": "integer",
        "minimum": 1,
        "maximum": 100000
      },
      "actor": {
        "type": "string",
        "maxLength": 200,
        "description": "Who asked, for the record."
      }
    }
  },
  "rpc/tenant.runtime.template.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.runtime.template.v1.reply.json",
    "title": "TenantRuntimeTemplateReplyV1",
    "description": "The runtime, its template being prepared.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "runtime"
    ],
    "properties": {
      "runtime": {
        "$ref": "../common/runtime.v1.json"
      }
    }
  },
  "rpc/tenant.runtime.template.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.runtime.template.v1.request.json",
    "title": "TenantRuntimeTemplateRequestV1",
    "description": "Prepare the runtime's template again (a new Odoo release): made through the runtime beside the current one, which new tenants use until the new one is ready.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "runtimeId"
    ],
    "properties": {
      "runtimeId": {
        "type": "string",
        "format": "uuid"
      },
      "actor": {
        "type": "string",
        "maxLength": 200,
        "description": "Who asked, for the record."
      }
    }
  },
  "rpc/tenant.server.list.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.server.list.v1.reply.json",
    "title": "TenantServerListReplyV1",
    "description": "The database servers, oldest first.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "items"
    ],
    "properties": {
      "items": {
        "type": "array",
        "maxItems": 1000,
        "items": {
          "$ref": "../common/database-server.v1.json"
        }
      }
    }
  },
  "rpc/tenant.server.list.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.server.list.v1.request.json",
    "title": "TenantServerListRequestV1",
    "description": "The database servers.",
    "type": "object",
    "additionalProperties": false,
    "properties": {}
  },
  "rpc/tenant.server.register.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.server.register.v1.reply.json",
    "title": "TenantServerRegisterReplyV1",
    "description": "The server.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "server"
    ],
    "properties": {
      "server": {
        "$ref": "../common/database-server.v1.json"
      }
    }
  },
  "rpc/tenant.server.register.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.server.register.v1.request.json",
    "title": "TenantServerRegisterRequestV1",
    "description": "Register a PostgreSQL server for tenant databases: its admin URL (a role with CREATEDB and CREATEROLE, sealed at rest, never answered).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "name",
      "adminUrl"
    ],
    "properties": {
      "name": {
        "type": "string",
        "pattern": "^[a-z][a-z0-9-]{0,39}$",
        "description": "Lowercase letters, digits and hyphens; the backup service finds its admin URL under this name in BACKUP_DB_SERVERS."
      },
      "adminUrl": {
        "type": "string",
        "minLength": 1,
        "maxLength": 1000,
        "pattern": "^postgres(ql)?://"
      },
      "maxTenants": {
        "type": "integer",
        "minimum": 1,
        "maximum": 100000
      },
      "actor": {
        "type": "string",
        "maxLength": 200,
        "description": "Who asked, for the record."
      }
    }
  },
  "rpc/tenant.stats.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.stats.v1.reply.json",
    "title": "TenantStatsReplyV1",
    "description": "Tenants by state (every state, 0 when none), and their total (deleted ones included).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "byState",
      "total"
    ],
    "properties": {
      "byState": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "pending",
          "provisioning",
          "active",
          "suspended",
          "failed",
          "restoring",
          "migrating",
          "deleting",
          "deleted"
        ],
        "properties": {
          "pending": {
            "type": "integer",
            "minimum": 0
          },
          "provisioning": {
            "type": "integer",
            "minimum": 0
          },
          "active": {
            "type": "integer",
            "minimum": 0
          },
          "suspended": {
            "type": "integer",
            "minimum": 0
          },
          "failed": {
            "type": "integer",
            "minimum": 0
          },
          "restoring": {
            "type": "integer",
            "minimum": 0
          },
          "migrating": {
            "type": "integer",
            "minimum": 0
          },
          "deleting": {
            "type": "integer",
            "minimum": 0
          },
          "deleted": {
            "type": "integer",
            "minimum": 0
          }
        }
      },
      "total": {
        "type": "integer",
        "minimum": 0
      }
    }
  },
  "rpc/tenant.stats.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.stats.v1.request.json",
    "title": "TenantStatsRequestV1",
    "description": "How many tenants are in each state.",
    "type": "object",
    "additionalProperties": false,
    "properties": {
      "tenantIds": {
        "type": "array",
        "items": {
          "type": "string",
          "format": "uuid"
        },
        "maxItems": 1000,
        "description": "Only these tenants (an operator limited to them)."
      }
    }
  },
  "rpc/tenant.suspend.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.suspend.v1.reply.json",
    "title": "TenantSuspendReplyV1",
    "description": "The tenant and the queued operation.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenant",
      "operation"
    ],
    "properties": {
      "tenant": {
        "$ref": "../common/tenant.v1.json"
      },
      "operation": {
        "$ref": "../common/operation.v1.json"
      }
    }
  },
  "rpc/tenant.suspend.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.suspend.v1.request.json",
    "title": "TenantSuspendRequestV1",
    "description": "Suspend a tenant for one reason (queues an operation).",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId",
      "reason"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "reason": {
        "$ref": "../common/tenant.v1.json#/definitions/suspensionReason"
      },
      "actor": {
        "type": "string",
        "maxLength": 200,
        "description": "Who asked, for the record."
      }
    }
  },
  "rpc/tenant.undelete.v1.reply": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.undelete.v1.reply.json",
    "title": "TenantUndeleteReplyV1",
    "description": "The tenant, back.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenant"
    ],
    "properties": {
      "tenant": {
        "$ref": "../common/tenant.v1.json"
      }
    }
  },
  "rpc/tenant.undelete.v1.request": {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://ocp.local/schemas/rpc/tenant.undelete.v1.request.json",
    "title": "TenantUndeleteRequestV1",
    "description": "Undo a deletion during its grace period: the tenant goes back to the state it was deleted from.",
    "type": "object",
    "additionalProperties": false,
    "required": [
      "tenantId"
    ],
    "properties": {
      "tenantId": {
        "type": "string",
        "format": "uuid"
      },
      "actor": {
        "type": "string",
        "maxLength": 200,
        "description": "Who asked, for the record."
      }
    }
  }
} as const;

export const validatorNames = {
  "commands/backup.operation.run.v1": "commands_backup_operation_run_v1",
  "commands/tenant.operation.run.v1": "commands_tenant_operation_run_v1",
  "common/audit-entry.v1": "common_audit_entry_v1",
  "common/backup-window.v1": "common_backup_window_v1",
  "common/backup.v1": "common_backup_v1",
  "common/billing-subscription.v1": "common_billing_subscription_v1",
  "common/cloudevent.v1": "common_cloudevent_v1",
  "common/database-server.v1": "common_database_server_v1",
  "common/error-code.v1": "common_error_code_v1",
  "common/operation.v1": "common_operation_v1",
  "common/plan.v1": "common_plan_v1",
  "common/restore-target.v1": "common_restore_target_v1",
  "common/route.v1": "common_route_v1",
  "common/rpc-error.v1": "common_rpc_error_v1",
  "common/runtime.v1": "common_runtime_v1",
  "common/tenant-domain.v1": "common_tenant_domain_v1",
  "common/tenant-quota.v1": "common_tenant_quota_v1",
  "common/tenant.v1": "common_tenant_v1",
  "common/usage-sample.v1": "common_usage_sample_v1",
  "events/audit.checkpoint.v1": "events_audit_checkpoint_v1",
  "events/audit.request.v1": "events_audit_request_v1",
  "events/backup.completed.v1": "events_backup_completed_v1",
  "events/backup.drilled.v1": "events_backup_drilled_v1",
  "events/backup.failed.v1": "events_backup_failed_v1",
  "events/backup.pruned.v1": "events_backup_pruned_v1",
  "events/billing.subscription_changed.v1": "events_billing_subscription_changed_v1",
  "events/billing.tenant_access_changed.v1": "events_billing_tenant_access_changed_v1",
  "events/billing.tenant_plan_changed.v1": "events_billing_tenant_plan_changed_v1",
  "events/billing.webhook_received.v1": "events_billing_webhook_received_v1",
  "events/billing.webhook_rejected.v1": "events_billing_webhook_rejected_v1",
  "events/operation.updated.v1": "events_operation_updated_v1",
  "events/quota.back_under.v1": "events_quota_back_under_v1",
  "events/quota.enforcement_changed.v1": "events_quota_enforcement_changed_v1",
  "events/quota.exceeded.v1": "events_quota_exceeded_v1",
  "events/quota.plan_changed.v1": "events_quota_plan_changed_v1",
  "events/quota.tenant_access_changed.v1": "events_quota_tenant_access_changed_v1",
  "events/quota.trial_ended.v1": "events_quota_trial_ended_v1",
  "events/quota.trial_ending.v1": "events_quota_trial_ending_v1",
  "events/quota.usage_reported.v1": "events_quota_usage_reported_v1",
  "events/quota.warning.v1": "events_quota_warning_v1",
  "events/tenant.activated.v1": "events_tenant_activated_v1",
  "events/tenant.created.v1": "events_tenant_created_v1",
  "events/tenant.deleted.v1": "events_tenant_deleted_v1",
  "events/tenant.deleting.v1": "events_tenant_deleting_v1",
  "events/tenant.deletion_cancelled.v1": "events_tenant_deletion_cancelled_v1",
  "events/tenant.domain_removed.v1": "events_tenant_domain_removed_v1",
  "events/tenant.domain_verified.v1": "events_tenant_domain_verified_v1",
  "events/tenant.module_installed.v1": "events_tenant_module_installed_v1",
  "events/tenant.module_uninstalled.v1": "events_tenant_module_uninstalled_v1",
  "events/tenant.module_upgraded.v1": "events_tenant_module_upgraded_v1",
  "events/tenant.moved.v1": "events_tenant_moved_v1",
  "events/tenant.plan_changed.v1": "events_tenant_plan_changed_v1",
  "events/tenant.provisioning.v1": "events_tenant_provisioning_v1",
  "events/tenant.provisioning_failed.v1": "events_tenant_provisioning_failed_v1",
  "events/tenant.renamed.v1": "events_tenant_renamed_v1",
  "events/tenant.restored.v1": "events_tenant_restored_v1",
  "events/tenant.restoring.v1": "events_tenant_restoring_v1",
  "events/tenant.resumed.v1": "events_tenant_resumed_v1",
  "events/tenant.suspended.v1": "events_tenant_suspended_v1",
  "events/tenant.suspension_reason_cleared.v1": "events_tenant_suspension_reason_cleared_v1",
  "rpc/audit.query.v1.reply": "rpc_audit_query_v1_reply",
  "rpc/audit.query.v1.request": "rpc_audit_query_v1_request",
  "rpc/audit.verify.v1.reply": "rpc_audit_verify_v1_reply",
  "rpc/audit.verify.v1.request": "rpc_audit_verify_v1_request",
  "rpc/backup.create.v1.reply": "rpc_backup_create_v1_reply",
  "rpc/backup.create.v1.request": "rpc_backup_create_v1_request",
  "rpc/backup.drill.v1.reply": "rpc_backup_drill_v1_reply",
  "rpc/backup.drill.v1.request": "rpc_backup_drill_v1_request",
  "rpc/backup.final.v1.reply": "rpc_backup_final_v1_reply",
  "rpc/backup.final.v1.request": "rpc_backup_final_v1_request",
  "rpc/backup.get.v1.reply": "rpc_backup_get_v1_reply",
  "rpc/backup.get.v1.request": "rpc_backup_get_v1_request",
  "rpc/backup.list.v1.reply": "rpc_backup_list_v1_reply",
  "rpc/backup.list.v1.request": "rpc_backup_list_v1_request",
  "rpc/backup.move.v1.reply": "rpc_backup_move_v1_reply",
  "rpc/backup.move.v1.request": "rpc_backup_move_v1_request",
  "rpc/backup.operation.get.v1.reply": "rpc_backup_operation_get_v1_reply",
  "rpc/backup.operation.get.v1.request": "rpc_backup_operation_get_v1_request",
  "rpc/backup.operation.list.v1.reply": "rpc_backup_operation_list_v1_reply",
  "rpc/backup.operation.list.v1.request": "rpc_backup_operation_list_v1_request",
  "rpc/backup.overdue.v1.reply": "rpc_backup_overdue_v1_reply",
  "rpc/backup.overdue.v1.request": "rpc_backup_overdue_v1_request",
  "rpc/backup.restore.v1.reply": "rpc_backup_restore_v1_reply",
  "rpc/backup.restore.v1.request": "rpc_backup_restore_v1_request",
  "rpc/backup.transfer.v1.reply": "rpc_backup_transfer_v1_reply",
  "rpc/backup.transfer.v1.request": "rpc_backup_transfer_v1_request",
  "rpc/backup.window.get.v1.reply": "rpc_backup_window_get_v1_reply",
  "rpc/backup.window.get.v1.request": "rpc_backup_window_get_v1_request",
  "rpc/backup.window.set.v1.reply": "rpc_backup_window_set_v1_reply",
  "rpc/backup.window.set.v1.request": "rpc_backup_window_set_v1_request",
  "rpc/billing.checkout.create.v1.reply": "rpc_billing_checkout_create_v1_reply",
  "rpc/billing.checkout.create.v1.request": "rpc_billing_checkout_create_v1_request",
  "rpc/billing.portal.create.v1.reply": "rpc_billing_portal_create_v1_reply",
  "rpc/billing.portal.create.v1.request": "rpc_billing_portal_create_v1_request",
  "rpc/billing.subscriptions.get.v1.reply": "rpc_billing_subscriptions_get_v1_reply",
  "rpc/billing.subscriptions.get.v1.request": "rpc_billing_subscriptions_get_v1_request",
  "rpc/billing.webhooks.list.v1.reply": "rpc_billing_webhooks_list_v1_reply",
  "rpc/billing.webhooks.list.v1.request": "rpc_billing_webhooks_list_v1_request",
  "rpc/operation.get.v1.reply": "rpc_operation_get_v1_reply",
  "rpc/operation.get.v1.request": "rpc_operation_get_v1_request",
  "rpc/operation.list.v1.reply": "rpc_operation_list_v1_reply",
  "rpc/operation.list.v1.request": "rpc_operation_list_v1_request",
  "rpc/quota.measure.now.v1.reply": "rpc_quota_measure_now_v1_reply",
  "rpc/quota.measure.now.v1.request": "rpc_quota_measure_now_v1_request",
  "rpc/quota.module.check.v1.reply": "rpc_quota_module_check_v1_reply",
  "rpc/quota.module.check.v1.request": "rpc_quota_module_check_v1_request",
  "rpc/quota.overrides.delete.v1.reply": "rpc_quota_overrides_delete_v1_reply",
  "rpc/quota.overrides.delete.v1.request": "rpc_quota_overrides_delete_v1_request",
  "rpc/quota.overrides.put.v1.reply": "rpc_quota_overrides_put_v1_reply",
  "rpc/quota.overrides.put.v1.request": "rpc_quota_overrides_put_v1_request",
  "rpc/quota.plans.delete.v1.reply": "rpc_quota_plans_delete_v1_reply",
  "rpc/quota.plans.delete.v1.request": "rpc_quota_plans_delete_v1_request",
  "rpc/quota.plans.get.v1.reply": "rpc_quota_plans_get_v1_reply",
  "rpc/quota.plans.get.v1.request": "rpc_quota_plans_get_v1_request",
  "rpc/quota.plans.list.v1.reply": "rpc_quota_plans_list_v1_reply",
  "rpc/quota.plans.list.v1.request": "rpc_quota_plans_list_v1_request",
  "rpc/quota.plans.put.v1.reply": "rpc_quota_plans_put_v1_reply",
  "rpc/quota.plans.put.v1.request": "rpc_quota_plans_put_v1_request",
  "rpc/quota.tenant.get.v1.reply": "rpc_quota_tenant_get_v1_reply",
  "rpc/quota.tenant.get.v1.request": "rpc_quota_tenant_get_v1_request",
  "rpc/quota.trial.put.v1.reply": "rpc_quota_trial_put_v1_reply",
  "rpc/quota.trial.put.v1.request": "rpc_quota_trial_put_v1_request",
  "rpc/quota.usage.history.v1.reply": "rpc_quota_usage_history_v1_reply",
  "rpc/quota.usage.history.v1.request": "rpc_quota_usage_history_v1_request",
  "rpc/tenant.backup.source.v1.reply": "rpc_tenant_backup_source_v1_reply",
  "rpc/tenant.backup.source.v1.request": "rpc_tenant_backup_source_v1_request",
  "rpc/tenant.create.v1.reply": "rpc_tenant_create_v1_reply",
  "rpc/tenant.create.v1.request": "rpc_tenant_create_v1_request",
  "rpc/tenant.delete.v1.reply": "rpc_tenant_delete_v1_reply",
  "rpc/tenant.delete.v1.request": "rpc_tenant_delete_v1_request",
  "rpc/tenant.domains.add.v1.reply": "rpc_tenant_domains_add_v1_reply",
  "rpc/tenant.domains.add.v1.request": "rpc_tenant_domains_add_v1_request",
  "rpc/tenant.domains.list.v1.reply": "rpc_tenant_domains_list_v1_reply",
  "rpc/tenant.domains.list.v1.request": "rpc_tenant_domains_list_v1_request",
  "rpc/tenant.domains.remove.v1.reply": "rpc_tenant_domains_remove_v1_reply",
  "rpc/tenant.domains.remove.v1.request": "rpc_tenant_domains_remove_v1_request",
  "rpc/tenant.domains.verify.v1.reply": "rpc_tenant_domains_verify_v1_reply",
  "rpc/tenant.domains.verify.v1.request": "rpc_tenant_domains_verify_v1_request",
  "rpc/tenant.duplicate.v1.reply": "rpc_tenant_duplicate_v1_reply",
  "rpc/tenant.duplicate.v1.request": "rpc_tenant_duplicate_v1_request",
  "rpc/tenant.get.v1.reply": "rpc_tenant_get_v1_reply",
  "rpc/tenant.get.v1.request": "rpc_tenant_get_v1_request",
  "rpc/tenant.list.v1.reply": "rpc_tenant_list_v1_reply",
  "rpc/tenant.list.v1.request": "rpc_tenant_list_v1_request",
  "rpc/tenant.module.v1.reply": "rpc_tenant_module_v1_reply",
  "rpc/tenant.module.v1.request": "rpc_tenant_module_v1_request",
  "rpc/tenant.modules.list.v1.reply": "rpc_tenant_modules_list_v1_reply",
  "rpc/tenant.modules.list.v1.request": "rpc_tenant_modules_list_v1_request",
  "rpc/tenant.rename.v1.reply": "rpc_tenant_rename_v1_reply",
  "rpc/tenant.rename.v1.request": "rpc_tenant_rename_v1_request",
  "rpc/tenant.restore.begin.v1.reply": "rpc_tenant_restore_begin_v1_reply",
  "rpc/tenant.restore.begin.v1.request": "rpc_tenant_restore_begin_v1_request",
  "rpc/tenant.restore.end.v1.reply": "rpc_tenant_restore_end_v1_reply",
  "rpc/tenant.restore.end.v1.request": "rpc_tenant_restore_end_v1_request",
  "rpc/tenant.resume.v1.reply": "rpc_tenant_resume_v1_reply",
  "rpc/tenant.resume.v1.request": "rpc_tenant_resume_v1_request",
  "rpc/tenant.retry.v1.reply": "rpc_tenant_retry_v1_reply",
  "rpc/tenant.retry.v1.request": "rpc_tenant_retry_v1_request",
  "rpc/tenant.routes.get.v1.reply": "rpc_tenant_routes_get_v1_reply",
  "rpc/tenant.routes.get.v1.request": "rpc_tenant_routes_get_v1_request",
  "rpc/tenant.routes.list.v1.reply": "rpc_tenant_routes_list_v1_reply",
  "rpc/tenant.routes.list.v1.request": "rpc_tenant_routes_list_v1_request",
  "rpc/tenant.runtime.disable.v1.reply": "rpc_tenant_runtime_disable_v1_reply",
  "rpc/tenant.runtime.disable.v1.request": "rpc_tenant_runtime_disable_v1_request",
  "rpc/tenant.runtime.get.v1.reply": "rpc_tenant_runtime_get_v1_reply",
  "rpc/tenant.runtime.get.v1.request": "rpc_tenant_runtime_get_v1_request",
  "rpc/tenant.runtime.list.v1.reply": "rpc_tenant_runtime_list_v1_reply",
  "rpc/tenant.runtime.list.v1.request": "rpc_tenant_runtime_list_v1_request",
  "rpc/tenant.runtime.modules.v1.reply": "rpc_tenant_runtime_modules_v1_reply",
  "rpc/tenant.runtime.modules.v1.request": "rpc_tenant_runtime_modules_v1_request",
  "rpc/tenant.runtime.register.v1.reply": "rpc_tenant_runtime_register_v1_reply",
  "rpc/tenant.runtime.register.v1.request": "rpc_tenant_runtime_register_v1_request",
  "rpc/tenant.runtime.template.v1.reply": "rpc_tenant_runtime_template_v1_reply",
  "rpc/tenant.runtime.template.v1.request": "rpc_tenant_runtime_template_v1_request",
  "rpc/tenant.server.list.v1.reply": "rpc_tenant_server_list_v1_reply",
  "rpc/tenant.server.list.v1.request": "rpc_tenant_server_list_v1_request",
  "rpc/tenant.server.register.v1.reply": "rpc_tenant_server_register_v1_reply",
  "rpc/tenant.server.register.v1.request": "rpc_tenant_server_register_v1_request",
  "rpc/tenant.stats.v1.reply": "rpc_tenant_stats_v1_reply",
  "rpc/tenant.stats.v1.request": "rpc_tenant_stats_v1_request",
  "rpc/tenant.suspend.v1.reply": "rpc_tenant_suspend_v1_reply",
  "rpc/tenant.suspend.v1.request": "rpc_tenant_suspend_v1_request",
  "rpc/tenant.undelete.v1.reply": "rpc_tenant_undelete_v1_reply",
  "rpc/tenant.undelete.v1.request": "rpc_tenant_undelete_v1_request"
} as const;
