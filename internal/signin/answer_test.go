package signin

import "testing"

// TestCustomChallengePrompt: a custom challenge's public "question" is shown in the
// prompt, and its answer is read without echo only when the challenge marks it
// secret.
func TestCustomChallengePrompt(t *testing.T) {
	for _, tt := range []struct {
		public   map[string]string
		question string
		secret   bool
	}{
		{nil, "Answer to the custom challenge: ", false},
		{map[string]string{"question": "What is 6*7?"}, "Answer to the custom challenge (What is 6*7?): ", false},
		{map[string]string{"question": "PIN?", "secret": "true"}, "Answer to the custom challenge (PIN?): ", true},
		{map[string]string{"sensitive": "YES"}, "Answer to the custom challenge: ", true},
		{map[string]string{"secret": "1"}, "Answer to the custom challenge: ", true},
		{map[string]string{"secret": "false"}, "Answer to the custom challenge: ", false},
	} {
		if got := customQuestion(tt.public); got != tt.question {
			t.Errorf("customQuestion(%v) = %q, want %q", tt.public, got, tt.question)
		}
		if got := customSecret(tt.public); got != tt.secret {
			t.Errorf("customSecret(%v) = %v, want %v", tt.public, got, tt.secret)
		}
	}
}
