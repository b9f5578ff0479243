package emulator_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/emulator"
	"github.com/authbench/authbench/emulator/internal/idp"
	"github.com/authbench/authbench/internal/emulatortest"
	"github.com/authbench/authbench/internal/race"
	"github.com/authbench/authbench/srp"
)

// heapMargin is how much the live heap may grow over a hostile stream: the stream
// sends about 1.5 GB, and a pool that kept any of it would exceed this many times.
const heapMargin = 32 << 20

// liveHeap is the heap in use after a full collection.
func liveHeap() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// hostileCase is one request of the stream: an operation and its body, made when
// sent (so that the stream's bodies are not in the heap the test measures).
type hostileCase struct {
	op, what string
	body     func() string
}

// hostileCases builds, for every sign-in and access-token operation, one request
// per member with a huge value in that member and sensible values elsewhere
// (the real client, pool, user, session and access token), so that a member the
// validators missed would reach the operation with its huge value.
func hostileCases(huge, poolID, clientID, session, access string) []hostileCase {
	type member = [2]string // JSON name, value as JSON
	str := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	hugeJSON := str(huge)
	hugeHex := str(strings.Repeat("f", len(huge)))
	obj := func(ms ...member) string {
		var b strings.Builder
		b.WriteByte('{')
		for i, m := range ms {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(str(m[0]) + ":" + m[1])
		}
		b.WriteByte('}')
		return b.String()
	}
	// maps returns the variants of a map member: a huge value under each key
	// named, a huge value under another key, and a huge key.
	maps := func(name string, base map[string]string, keys ...string) [][]member {
		var out [][]member
		with := func(k, v string) []member {
			var ms []member
			for bk, bv := range base {
				if bk != k {
					ms = append(ms, member{bk, str(bv)})
				}
			}
			ms = append(ms, member{k, v})
			return []member{{name, obj(ms...)}}
		}
		for _, k := range keys {
			v := hugeJSON
			if k == "SRP_A" {
				v = hugeHex
			}
			out = append(out, with(k, v))
		}
		out = append(out, with("OTHER", hugeJSON))
		out = append(out, []member{{name, obj(member{huge, `"v"`})}})
		return out
	}
	type opSpec struct {
		op      string
		base    []member
		plain   []string          // string members to make huge
		objects []string          // object members to fill with a huge member
		lists   []string          // AttributeType lists
		extra   func() [][]member // map variants
	}
	q := str
	authBase := map[string]string{"USERNAME": "hostile", "SRP_A": "02"}
	srpKeys := []string{"USERNAME", "PASSWORD", "SRP_A", "SECRET_HASH", "DEVICE_KEY", "REFRESH_TOKEN", "PREFERRED_CHALLENGE"}
	challengeBase := map[string]string{"USERNAME": "hostile"}
	challengeKeys := []string{"USERNAME", "PASSWORD", "NEW_PASSWORD", "SRP_A", "SECRET_HASH", "DEVICE_KEY",
		"PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP", "SMS_MFA_CODE", "SOFTWARE_TOKEN_MFA_CODE", "ANSWER"}
	meta := func() [][]member { return maps("ClientMetadata", map[string]string{"k": "v"}) }
	specs := []opSpec{
		{op: "InitiateAuth", base: []member{{"AuthFlow", q("USER_SRP_AUTH")}, {"ClientId", q(clientID)}, {"AuthParameters", `{"USERNAME":"hostile","SRP_A":"02"}`}},
			plain: []string{"AuthFlow", "ClientId", "Session"}, objects: []string{"AnalyticsMetadata", "UserContextData"},
			extra: func() [][]member { return append(maps("AuthParameters", authBase, srpKeys...), meta()...) }},
		{op: "AdminInitiateAuth", base: []member{{"UserPoolId", q(poolID)}, {"AuthFlow", q("ADMIN_USER_PASSWORD_AUTH")}, {"ClientId", q(clientID)}, {"AuthParameters", `{"USERNAME":"hostile","PASSWORD":"x"}`}},
			plain: []string{"UserPoolId", "AuthFlow", "ClientId", "Session"}, objects: []string{"AnalyticsMetadata", "ContextData"},
			extra: func() [][]member {
				return append(maps("AuthParameters", map[string]string{"USERNAME": "hostile", "PASSWORD": "x"}, srpKeys...), meta()...)
			}},
		{op: "RespondToAuthChallenge", base: []member{{"ChallengeName", q("PASSWORD_VERIFIER")}, {"ClientId", q(clientID)}, {"Session", q(session)}, {"ChallengeResponses", `{"USERNAME":"hostile"}`}},
			plain: []string{"ChallengeName", "ClientId", "Session"}, objects: []string{"AnalyticsMetadata", "UserContextData"},
			extra: func() [][]member {
				return append(maps("ChallengeResponses", challengeBase, challengeKeys...), meta()...)
			}},
		{op: "AdminRespondToAuthChallenge", base: []member{{"UserPoolId", q(poolID)}, {"ChallengeName", q("NEW_PASSWORD_REQUIRED")}, {"ClientId", q(clientID)}, {"Session", q(session)}, {"ChallengeResponses", `{"USERNAME":"hostile"}`}},
			plain: []string{"UserPoolId", "ChallengeName", "ClientId", "Session"}, objects: []string{"AnalyticsMetadata", "ContextData"},
			extra: func() [][]member {
				return append(maps("ChallengeResponses", challengeBase, challengeKeys...), meta()...)
			}},
		{op: "SignUp", base: []member{{"ClientId", q(clientID)}, {"Username", q("newcomer")}, {"Password", q("Passw0rd!")}},
			plain: []string{"ClientId", "Username", "Password", "SecretHash"}, objects: []string{"AnalyticsMetadata", "UserContextData"}, lists: []string{"UserAttributes", "ValidationData"}, extra: meta},
		{op: "ConfirmSignUp", base: []member{{"ClientId", q(clientID)}, {"Username", q("hostile")}, {"ConfirmationCode", q("123456")}},
			plain: []string{"ClientId", "Username", "ConfirmationCode", "SecretHash", "Session"}, objects: []string{"AnalyticsMetadata", "UserContextData"}, extra: meta},
		{op: "ResendConfirmationCode", base: []member{{"ClientId", q(clientID)}, {"Username", q("hostile")}},
			plain: []string{"ClientId", "Username", "SecretHash"}, objects: []string{"AnalyticsMetadata", "UserContextData"}, extra: meta},
		{op: "ForgotPassword", base: []member{{"ClientId", q(clientID)}, {"Username", q("hostile")}},
			plain: []string{"ClientId", "Username", "SecretHash"}, objects: []string{"AnalyticsMetadata", "UserContextData"}, extra: meta},
		{op: "ConfirmForgotPassword", base: []member{{"ClientId", q(clientID)}, {"Username", q("hostile")}, {"ConfirmationCode", q("123456")}, {"Password", q("Passw0rd!")}},
			plain: []string{"ClientId", "Username", "ConfirmationCode", "Password", "SecretHash"}, objects: []string{"AnalyticsMetadata", "UserContextData"}, extra: meta},
		{op: "GetTokensFromRefreshToken", base: []member{{"RefreshToken", q("not-a-refresh-token")}, {"ClientId", q(clientID)}},
			plain: []string{"RefreshToken", "ClientId", "ClientSecret", "DeviceKey"}, extra: meta},
		{op: "RevokeToken", base: []member{{"Token", q("not-a-refresh-token")}, {"ClientId", q(clientID)}},
			plain: []string{"Token", "ClientId", "ClientSecret"}},
		{op: "GetUser", base: []member{{"AccessToken", q(access)}}, plain: []string{"AccessToken"}},
		{op: "GetUserAuthFactors", base: []member{{"AccessToken", q(access)}}, plain: []string{"AccessToken"}},
		{op: "GlobalSignOut", base: []member{{"AccessToken", q(access)}}, plain: []string{"AccessToken"}},
		{op: "DeleteUser", base: []member{{"AccessToken", q(access)}}, plain: []string{"AccessToken"}},
		{op: "ChangePassword", base: []member{{"AccessToken", q(access)}, {"PreviousPassword", q("Passw0rd!")}, {"ProposedPassword", q("N3w-Passw0rd!")}},
			plain: []string{"AccessToken", "PreviousPassword", "ProposedPassword"}},
		{op: "UpdateUserAttributes", base: []member{{"AccessToken", q(access)}, {"UserAttributes", `[{"Name":"name","Value":"x"}]`}},
			plain: []string{"AccessToken"}, lists: []string{"UserAttributes"}, extra: meta},
		{op: "DeleteUserAttributes", base: []member{{"AccessToken", q(access)}, {"UserAttributeNames", `["name"]`}},
			plain: []string{"AccessToken"}, extra: func() [][]member { return [][]member{{{"UserAttributeNames", "[" + hugeJSON + "]"}}} }},
		{op: "GetUserAttributeVerificationCode", base: []member{{"AccessToken", q(access)}, {"AttributeName", q("email")}},
			plain: []string{"AccessToken", "AttributeName"}, extra: meta},
		{op: "VerifyUserAttribute", base: []member{{"AccessToken", q(access)}, {"AttributeName", q("email")}, {"Code", q("123456")}},
			plain: []string{"AccessToken", "AttributeName", "Code"}},
		{op: "AssociateSoftwareToken", base: []member{{"AccessToken", q(access)}}, plain: []string{"AccessToken", "Session"}},
		{op: "VerifySoftwareToken", base: []member{{"AccessToken", q(access)}, {"UserCode", q("123456")}},
			plain: []string{"AccessToken", "Session", "UserCode", "FriendlyDeviceName"}},
		{op: "SetUserMFAPreference", base: []member{{"AccessToken", q(access)}}, plain: []string{"AccessToken"}},
		{op: "ListDevices", base: []member{{"AccessToken", q(access)}}, plain: []string{"AccessToken", "PaginationToken"}},
		{op: "GetDevice", base: []member{{"AccessToken", q(access)}, {"DeviceKey", q("us-east-1_x")}}, plain: []string{"AccessToken", "DeviceKey"}},
		{op: "ForgetDevice", base: []member{{"AccessToken", q(access)}, {"DeviceKey", q("us-east-1_x")}}, plain: []string{"AccessToken", "DeviceKey"}},
		{op: "ConfirmDevice", base: []member{{"AccessToken", q(access)}, {"DeviceKey", q("us-east-1_x")}}, plain: []string{"AccessToken", "DeviceKey", "DeviceName"}},
		{op: "UpdateDeviceStatus", base: []member{{"AccessToken", q(access)}, {"DeviceKey", q("us-east-1_x")}}, plain: []string{"AccessToken", "DeviceKey", "DeviceRememberedStatus"}},
	}
	var out []hostileCase
	build := func(op, what string, base []member, over []member) {
		ms := append([]member(nil), base...)
		for _, o := range over {
			replaced := false
			for i := range ms {
				if ms[i][0] == o[0] {
					ms[i], replaced = o, true
				}
			}
			if !replaced {
				ms = append(ms, o)
			}
		}
		out = append(out, hostileCase{op, what, func() string { return obj(ms...) }})
	}
	for _, sp := range specs {
		for _, m := range sp.plain {
			build(sp.op, m, sp.base, []member{{m, hugeJSON}})
		}
		for _, m := range sp.objects {
			key := "EncodedData"
			if m == "AnalyticsMetadata" {
				key = "AnalyticsEndpointId"
			}
			build(sp.op, m, sp.base, []member{{m, obj(member{key, hugeJSON})}})
		}
		for _, m := range sp.lists {
			build(sp.op, m+" name", sp.base, []member{{m, `[{"Name":` + hugeJSON + `,"Value":"x"}]`}})
			build(sp.op, m+" value", sp.base, []member{{m, `[{"Name":"name","Value":` + hugeJSON + `}]`}})
			build(sp.op, m+" entries", sp.base, []member{{m, "[" + strings.Repeat(`{"Name":"name","Value":"x"},`, 20000) + `{"Name":"name"}]`}})
		}
		if sp.extra != nil {
			for _, v := range sp.extra() {
				build(sp.op, v[0][0]+" entry", sp.base, v)
			}
		}
	}
	return out
}

// TestHostileStreamHeapBounded sends the hostile stream through the
// handler — 500 InitiateAuth requests (100 under -race) with an SRP_A of a million
// hex digits, then a huge value in every member of every sign-in and access-token
// operation — and checks that every answer is a Cognito 400 error and that the
// pool's live heap after a collection stays within heapMargin of what it was before.
func TestHostileStreamHeapBounded(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{})
	e.User(t, poolID, "hostile", "Passw0rd!", "email", "hostile@example.com", "email_verified", "true")
	signedIn, err := e.passwordAuth(ctx, clientID, "hostile", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	access := aws.ToString(signedIn.AuthenticationResult.AccessToken)
	c, err := srp.NewClient(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	init, err := e.IDP.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: &clientID,
		AuthParameters: map[string]string{"USERNAME": "hostile", "SRP_A": c.SRPA()}})
	if err != nil {
		t.Fatal(err)
	}
	session := aws.ToString(init.Session)
	h := e.Srv.Handler()

	srpBody := `{"AuthFlow":"USER_SRP_AUTH","ClientId":"` + clientID + `","AuthParameters":{"USERNAME":"hostile","SRP_A":"` + strings.Repeat("f", 1_000_000) + `"}}`
	check := func(c hostileCase, rec *httptest.ResponseRecorder) {
		t.Helper()
		typ := rec.Header().Get("x-amzn-ErrorType")
		if rec.Code != http.StatusBadRequest || typ != idp.TypeInvalidParameter {
			t.Fatalf("%s with a huge %s: %d %s %.300s", c.op, c.what, rec.Code, typ, rec.Body.String())
		}
		if n := rec.Body.Len(); n > 2048 {
			t.Fatalf("%s with a huge %s: a %d-byte answer", c.op, c.what, n)
		}
	}
	srpCase := hostileCase{"InitiateAuth", "SRP_A", nil}
	// stream sends the per-member cases (built here, so that none of them is live
	// when the heap is measured) and returns the requests and bytes sent.
	stream := func(huge string) (n, sent int) {
		for _, c := range hostileCases(huge, poolID, clientID, session, access) {
			body := c.body()
			check(c, handlerCall(h, c.op, body))
			n, sent = n+1, sent+len(body)
		}
		return n, sent
	}
	// The race detector multiplies the cost of decoding these bodies ~10×: under it
	// the stream is a fifth as long and its values a third as large, still many
	// times the heap margin if the pool kept what it was sent.
	srpRequests, hugeLen := 500, 900_000
	if race.Enabled {
		srpRequests, hugeLen = 100, 300_000
	}
	// One round first, so that what the handler keeps for good (the reflection
	// caches of encoding/json, the quota and session maps) is in the baseline; its
	// values need only break every member's bound.
	check(srpCase, handlerCall(h, "InitiateAuth", srpBody))
	stream(strings.Repeat("a", 140_000))
	base := liveHeap()
	requests, sent := 0, 0
	for range srpRequests {
		check(srpCase, handlerCall(h, "InitiateAuth", srpBody))
		requests, sent = requests+1, sent+len(srpBody)
	}
	n, bytes := stream(strings.Repeat("a", hugeLen))
	requests, sent = requests+n, sent+bytes
	after := liveHeap()
	t.Logf("sent %d requests, %d MiB; live heap %.1f MiB before, %.1f MiB after (bound %.1f MiB)",
		requests, sent>>20, float64(base)/(1<<20), float64(after)/(1<<20), float64(base+heapMargin)/(1<<20))
	if after > base+heapMargin {
		t.Fatalf("live heap grew from %d to %d bytes over the hostile stream (bound %d)", base, after, base+heapMargin)
	}
	// The session and the user are still good for an ordinary sign-in.
	if _, err := e.srpSignIn(ctx, poolID, clientID, "hostile", "Passw0rd!"); err != nil {
		t.Fatalf("an ordinary sign-in after the stream: %v", err)
	}
}

// TestHostileNamesBeforeQuotas: with per-user quotas on, names that break their
// bounds are refused before the quotas see them, so the quotas' per-user buckets
// are never keyed by a huge name and a refused request takes no token.
func TestHostileNamesBeforeQuotas(t *testing.T) {
	e := newEnv(t, func(o *emulator.Options) {
		o.Limits.PerUser = 1
		if err := o.Limits.SetQuota("UserAuthentication=1"); err != nil {
			t.Fatal(err)
		}
	})
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{})
	e.User(t, poolID, "quota", "Passw0rd!")
	h := e.Srv.Handler()
	for i := range 20 {
		name := strings.Repeat(string(rune('a'+i)), 200_000)
		rec := handlerCall(h, "InitiateAuth", `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"`+clientID+`","AuthParameters":{"USERNAME":"`+name+`","PASSWORD":"x"}}`)
		if typ := rec.Header().Get("x-amzn-ErrorType"); typ != idp.TypeInvalidParameter {
			t.Fatalf("request %d: %d %s", i, rec.Code, typ)
		}
	}
	// The one token of the second is still there for an ordinary sign-in.
	if _, err := e.passwordAuth(context.Background(), clientID, "quota", "Passw0rd!"); err != nil {
		t.Fatalf("an ordinary sign-in after refused ones: %v", err)
	}
}

// provisioningDefaults are valid JSON values, by member name, for the required
// members of the operations provisioningCases covers: a request with a huge value in
// one member carries these in the others, so that only the huge one can be refused.
func provisioningDefaults(poolID, clientID, poolArn string) map[string]string {
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	return map[string]string{
		"UserPoolId": q(poolID), "ClientId": q(clientID), "Username": q("hostile"), "PoolName": q("p"),
		"ClientName": q("c"), "GroupName": q("g"), "ProviderName": q("Google"), "ProviderType": q("Google"),
		"ProviderDetails": `{"client_id":"i","client_secret":"s","authorize_scopes":"openid"}`,
		"Identifier":      q("https://api"), "Name": q("api"), "Domain": q("hostile-domain"), "ResourceArn": q(poolArn),
		"DeviceKey": q("us-east-1_0a"), "CustomAttributes": `[{"Name":"x","AttributeDataType":"String"}]`,
		"UserAttributes": `[{"Name":"name","Value":"x"}]`, "UserAttributeNames": `["name"]`, "Tags": `{"k":"v"}`,
		"Password": q("Passw0rd!"), "IdpIdentifier": q("idp"),
	}
}

// wireMember is one member of an input struct as the wire names it.
type wireMember struct {
	name     string
	typ      reflect.Type
	required bool
}

// wireMembers lists a struct's members as the JSON decoder sees them: an embedded
// struct's members are the struct's own unless it declares the same name.
func wireMembers(t reflect.Type) []wireMember {
	var own, embedded []wireMember
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous {
			embedded = append(embedded, wireMembers(f.Type)...)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		required := slices.Contains(strings.Split(f.Tag.Get("validate"), ","), "required")
		own = append(own, wireMember{name, f.Type, required})
	}
	for _, m := range embedded {
		if !slices.ContainsFunc(own, func(o wireMember) bool { return o.name == m.name }) {
			own = append(own, m)
		}
	}
	return own
}

// hugeValues returns JSON values of type t that each hold something huge: a huge
// string, a huge key, or a list or map of many entries; for a struct, each of its
// members in turn holding such a value (to depth levels).
func hugeValues(t reflect.Type, hugeJSON string, depth int) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	many := func(entry func(i int) string) string {
		var b strings.Builder
		for i := range 20000 {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(entry(i))
		}
		return b.String()
	}
	switch {
	case t.Kind() == reflect.String:
		return []string{hugeJSON}
	case t == reflect.TypeFor[json.RawMessage]():
		return []string{`{"Member":` + hugeJSON + `}`}
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
		return []string{"[" + hugeJSON + "]", "[" + many(func(int) string { return `"x"` }) + "]"}
	case t.Kind() == reflect.Map:
		return []string{`{` + hugeJSON + `:"v"}`, `{"k":` + hugeJSON + `}`,
			"{" + many(func(i int) string { return `"k` + strconv.Itoa(i) + `":"v"` }) + "}"}
	case t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8:
		var out []string
		for _, v := range hugeValues(t.Elem(), hugeJSON, depth) {
			out = append(out, "["+v+"]")
		}
		return append(out, "["+many(func(int) string { return "{}" })+"]")
	case t.Kind() == reflect.Struct && depth > 0:
		var out []string
		for _, m := range wireMembers(t) {
			for _, v := range hugeValues(m.typ, hugeJSON, depth-1) {
				out = append(out, `{"`+m.name+`":`+v+`}`)
			}
		}
		return out
	}
	return nil
}

// provisioningCases builds, for every operation the sign-in stream does not cover
// (the provisioning and admin operations), one request per member and per huge
// value of that member's type, the required members set from defaults. Each is to
// be refused naming that member.
func provisioningCases(t *testing.T, huge string, defaults map[string]string, covered map[string]bool) []hostileCase {
	hugeJSON := `"` + huge + `"`
	ops := idp.New(idp.Options{}).Operations()
	names := make([]string, 0, len(ops))
	for name := range ops {
		names = append(names, name)
	}
	slices.Sort(names)
	notServed := idp.NotServed()
	var out []hostileCase
	for _, name := range names {
		in := reflect.TypeOf(ops[name].NewInput()).Elem()
		if covered[name] || notServed[name] != "" || in.Kind() != reflect.Struct {
			continue
		}
		members := wireMembers(in)
		for _, m := range members {
			for i, v := range hugeValues(m.typ, hugeJSON, 3) {
				var b strings.Builder
				b.WriteString(`{"` + m.name + `":` + v)
				for _, o := range members {
					if o.required && o.name != m.name {
						d, ok := defaults[o.name]
						if !ok {
							t.Fatalf("%s: no default for the required member %s", name, o.name)
						}
						b.WriteString(`,"` + o.name + `":` + d)
					}
				}
				b.WriteByte('}')
				body := b.String()
				out = append(out, hostileCase{name, m.name + "#" + strconv.Itoa(i+1), func() string { return body }})
			}
		}
	}
	return out
}

// TestHostileProvisioningBounded sends a huge value (or a huge key, or tens of
// thousands of entries) in every member, nested members included, of every
// provisioning and admin operation: each is refused with InvalidParameterException
// naming that member, no answer quotes more than a few hundred characters of it (in
// the message or the x-amzn-ErrorMessage header), and the pool's live heap after a
// collection stays within heapMargin over the stream.
func TestHostileProvisioningBounded(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{})
	e.User(t, poolID, "hostile", "Passw0rd!")
	described, err := e.IDP.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &poolID})
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, c := range hostileCases("x", poolID, clientID, "s", "a") {
		covered[c.op] = true
	}
	defaults := provisioningDefaults(poolID, clientID, aws.ToString(described.UserPool.Arn))
	h := e.Srv.Handler()
	huge := strings.Repeat("a", 200_000)
	stream := func() (n int) {
		for _, c := range provisioningCases(t, huge, defaults, covered) {
			rec := handlerCall(h, c.op, c.body())
			typ := rec.Header().Get("x-amzn-ErrorType")
			var answer struct{ Message string }
			_ = json.Unmarshal(rec.Body.Bytes(), &answer)
			if rec.Code != http.StatusBadRequest || typ != idp.TypeInvalidParameter {
				t.Fatalf("%s with a huge %s: %d %s %.300s", c.op, c.what, rec.Code, typ, rec.Body.String())
			}
			member, _, _ := strings.Cut(c.what, "#")
			if want := "'" + strings.ToLower(member[:1]) + member[1:]; !strings.Contains(answer.Message, want) {
				t.Fatalf("%s with a huge %s: refused for another member: %s", c.op, c.what, answer.Message)
			}
			for _, s := range []string{answer.Message, rec.Header().Get("x-amzn-ErrorMessage")} {
				if len(s) > 1100 || strings.Contains(s, strings.Repeat("a", 300)) {
					t.Fatalf("%s with a huge %s: the answer quotes %d characters: %.200q", c.op, c.what, len(s), s)
				}
			}
			n++
		}
		return n
	}
	stream()
	base := liveHeap()
	n := 0
	rounds := 2
	if race.Enabled {
		rounds = 1 // the race detector multiplies the cost of each ~10×
	}
	for range rounds {
		n += stream()
	}
	after := liveHeap()
	t.Logf("sent %d requests; live heap %.1f MiB before, %.1f MiB after (bound %.1f MiB)",
		n, float64(base)/(1<<20), float64(after)/(1<<20), float64(base+heapMargin)/(1<<20))
	if after > base+heapMargin {
		t.Fatalf("live heap grew from %d to %d bytes over the stream (bound %d)", base, after, base+heapMargin)
	}
	// The pool is as it was: one pool, one client, one user.
	pools, err := e.IDP.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(60)})
	if err != nil {
		t.Fatal(err)
	}
	if len(pools.UserPools) != 1 {
		t.Fatalf("%d pools after the stream", len(pools.UserPools))
	}
	if _, err := e.passwordAuth(ctx, clientID, "hostile", "Passw0rd!"); err != nil {
		t.Fatalf("an ordinary sign-in after the stream: %v", err)
	}
}
