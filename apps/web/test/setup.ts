// Shared by the component tests (each declares `@vitest-environment jsdom` itself, since
// the root Vitest run is in node): jest-dom matchers and a clean DOM after each test.
import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// Whole-app renders wait on several fake round trips; on a busy machine that can take more
// than Testing Library's default second.
configure({ asyncUtilTimeout: 5000 });
afterEach(() => cleanup());
