import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'media/vendor/**', '.test-output/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // processes go through execa with argument arrays, never a shell
      'no-restricted-imports': ['error', { paths: [{ name: 'child_process', message: 'use execa with an argument array' }] }],
    },
  },
  {
    // the core never imports the editor API (DESIGN.md layering)
    files: ['src/ovn/**', 'src/yaml/**', 'src/k8s/**', 'src/lab/**', 'src/cli/**'],
    rules: { 'no-restricted-imports': ['error', { paths: ['vscode', { name: 'child_process', message: 'use execa' }] }] },
  },
);
